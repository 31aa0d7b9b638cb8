import { trace } from '@opentelemetry/api';
import type { z } from 'zod';
import type { SessionAdmin } from '../../types/next-auth';
import { activeSessionAdmin } from '../auth/session-claims';
import { sessionToken } from '../auth/session-token';
import { getDb } from '../db/web-db';
import { webEnv } from '../env';
import { AppError } from '../errors';
import { createLogger, type Logger } from '../log.mjs';
import { type RequestOrigin, requestOrigin } from '../request-origin';
import { isDocumentNavigation, errorPage } from './error-page';
import { toAppError } from '../error-classification';
import { errorResponse, noStore } from './error-response';
import { assertSameOrigin, readJsonBody } from './request-guards';
import { type DeclaredRoute, type RouteDeclaration, type Routes, routes } from './routes';
import { type Actor, type Scope, scopeOf } from '../scope';

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

type Declared<K extends WrappedRoute, F extends 'params' | 'query' | 'body'> = Routes[K] extends { [P in F]: infer S extends z.ZodType }
  ? z.infer<S>
  : undefined;

/** Routes withRoute serves: all but next-auth's own. */
type WrappedRoute = { [K in DeclaredRoute]: Routes[K] extends { handledBy: string } ? never : K }[DeclaredRoute];

/** The handler as Next.js calls it, marked with the route it serves (the route-list test reads the mark). */
export type RouteHandler = ((request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>) & {
  route: WrappedRoute;
};

/**
 * The one wrapper every route handler goes through: Origin check for state changes (and
 * GETs marked sideEffectOnGet) → session → access check → zod parsing of params, query
 * and body → handler → errors mapped to
 * `{ error: { code, message, hint } }`. Handlers hold only the happy path; they get the
 * actor (admin id + client address and user agent) ready for audit rows.
 */
export function withRoute<K extends WrappedRoute>(key: K, handler: Handler<Declared<K, 'params'>, Declared<K, 'query'>, Declared<K, 'body'>>): RouteHandler {
  // Its settings come from the route list (routes.ts), where OpenAPI and the guard tests read them too.
  const spec: RouteDeclaration = routes[key];
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
        params: params as Declared<K, 'params'>,
        query: query as Declared<K, 'query'>,
        body: body as Declared<K, 'body'>,
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
  const serve = async (request: Request, context: Params): Promise<Response> => {
    // One line per request. The path holds ids only; the query string may hold search terms, so it stays out.
    const scoped = { log: webLog.child({ method: request.method, path: new URL(request.url).pathname }) };
    const started = performance.now();
    const response = await handle(request, context, scoped);
    scoped.log.info({ status: response.status, ms: Math.round(performance.now() - started) }, 'request');
    return response;
  };
  return Object.assign(serve, { route: key });
}

async function sessionAdmin(request: Request): Promise<SessionAdmin | undefined> {
  const env = webEnv();
  const token = await sessionToken(request, env.NEXTAUTH_SECRET);
  // The token alone is not enough: revocation, role and lifetime are checked against the database.
  return token ? ((await activeSessionAdmin(getDb(), token, env.SESSION_MAX_AGE_SECONDS)) ?? undefined) : undefined;
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  const text = JSON.stringify(body);
  headers.set('content-type', 'application/json');
  headers.set('cache-control', noStore(text));
  return new Response(text, { ...init, headers });
}
