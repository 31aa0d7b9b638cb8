import { trace } from '@opentelemetry/api';
import { getToken } from 'next-auth/jwt';
import type { z } from 'zod';
import type { SessionAdmin } from '../../types/next-auth';
import { activeSessionAdmin } from '../auth/session-claims';
import { getDb } from '../db/web-db';
import { webEnv } from '../env';
import { AppError } from '../errors';
import { createLogger, type Logger } from '../log.mjs';
import { type RequestOrigin, requestOrigin } from '../request-origin';
import { isDocumentNavigation, errorPage } from './error-page';
import { toAppError } from '../error-classification';
import { errorResponse } from './error-response';
import { assertSameOrigin, readJsonBody } from './request-guards';
import { type Actor, type Scope, scopeOf } from '../scope';

type Access = 'public' | 'signed-in' | 'admin-role';

interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  /** 'admin-role' = may change things (export, cancel, download); viewers get 403. */
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The route has an effect even on GET (the download writes a "downloaded" audit row), so
   * it gets the cross-site check that state changes get: a link on another site must not
   * make an admin's browser act in the admin's name (review L9).
   */
  sideEffectOnGet?: boolean;
  /** A link people click (the download): a browser navigation that fails gets a page, not JSON. */
  pageOnNavigationError?: boolean;
  /** A larger body cap than the default 16 KiB, for a route whose body may list many ids. */
  maxBodyBytes?: number;
}

interface RouteContext<P, Q, B> {
  request: Request;
  params: P;
  query: Q;
  body: B;
  admin: SessionAdmin;
  scope: Scope;
  /** Client address and user agent, computed once per request for audit rows. */
  origin: RequestOrigin;
  actor: Actor;
  /** This request's logger: its lines carry the method, path, tenant, environment and admin id. */
  log: Logger;
}

type Handler<P, Q, B> = (ctx: RouteContext<P, Q, B>) => Promise<Response>;

const webLog = createLogger('export-console-web');

const unauthenticated = () =>
  new AppError('unauthorized', 'You are not signed in, or your session has ended', 'Sign in at /login, then retry the request with the new session cookie.');

/**
 * The one wrapper every route handler goes through: Origin check for state changes (and
 * GETs marked sideEffectOnGet) → session → access check → zod parsing of params, query
 * and body → handler → errors mapped to
 * `{ error: { code, message, hint } }`. Handlers hold only the happy path; they get the
 * actor (admin id + client address and user agent) ready for audit rows.
 */
export function withRoute<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
  spec: RouteSpec<P, Q, B>,
  handler: Handler<z.infer<P>, z.infer<Q>, z.infer<B>>,
) {
  type Params = { params: Promise<Record<string, string | string[]>> };
  const handle = async (request: Request, context: Params, scoped: { log: Logger }): Promise<Response> => {
    try {
      const changesState = request.method !== 'GET' && request.method !== 'HEAD';
      if (changesState || spec.sideEffectOnGet) assertSameOrigin(request);
      const admin = spec.access === 'public' ? undefined : await sessionAdmin(request);
      if (spec.access !== 'public' && !admin) throw unauthenticated();
      if (admin) {
        const ids = { tenantId: admin.tenantId, environmentId: admin.environmentId, adminId: admin.id };
        scoped.log = scoped.log.child(ids);
        // Next's span for this route handler (under the request's span, named for the route template) gets who asked, by id.
        trace.getActiveSpan()?.setAttributes({ 'tenant.id': ids.tenantId, 'environment.id': ids.environmentId, 'admin.id': ids.adminId });
      }
      if (spec.access === 'admin-role' && admin?.role !== 'admin') {
        throw new AppError('forbidden', 'Your role does not allow this', 'Viewers can look but not export, cancel or download; ask an admin of your tenant.');
      }
      const params = spec.params ? spec.params.parse(await context.params) : undefined;
      const query = spec.query ? spec.query.parse(Object.fromEntries(new URL(request.url).searchParams)) : undefined;
      const rawBody = changesState ? await readJsonBody(request, spec.maxBodyBytes) : undefined;
      // No body reads as {}; a JSON `null` is a body, and the schema refuses it.
      const body = spec.body ? spec.body.parse(rawBody === undefined ? {} : rawBody) : undefined;
      if (!spec.body && rawBody !== undefined) {
        throw new AppError('validation', 'This endpoint takes no request body', 'Send the request without a body.');
      }
      // Signed-in routes only, like scope: public ones have no one to audit.
      const origin = admin ? requestOrigin(request.headers, webEnv().TRUSTED_PROXY_HOPS) : undefined;
      return await handler({
        request,
        origin: origin as RequestOrigin,
        actor: admin && origin ? { id: admin.id, origin } : (undefined as never),
        log: scoped.log,
        params: params as z.infer<P>,
        query: query as z.infer<Q>,
        body: body as z.infer<B>,
        admin: admin!,
        scope: admin ? scopeOf(admin) : (undefined as never),
      });
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code === 'internal') scoped.log.error({ err: error }, 'request failed');
      if (spec.pageOnNavigationError && isDocumentNavigation(request)) return errorPage(appError);
      return errorResponse(appError);
    }
  };
  return async (request: Request, context: Params): Promise<Response> => {
    // One line per request. The path holds ids only; the query string may hold search terms, so it stays out.
    const scoped = { log: webLog.child({ method: request.method, path: new URL(request.url).pathname }) };
    const started = performance.now();
    const response = await handle(request, context, scoped);
    scoped.log.info({ status: response.status, ms: Math.round(performance.now() - started) }, 'request');
    return response;
  };
}

async function sessionAdmin(request: Request): Promise<SessionAdmin | undefined> {
  const env = webEnv();
  const token = await getToken({ req: request as never, secret: env.NEXTAUTH_SECRET });
  // The token alone is not enough: revocation, role and lifetime are checked against the database.
  return token ? ((await activeSessionAdmin(getDb(), token, env.SESSION_MAX_AGE_SECONDS)) ?? undefined) : undefined;
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json');
  headers.set('cache-control', 'no-store');
  return new Response(JSON.stringify(body), { ...init, headers });
}
