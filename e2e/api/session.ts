import { expect, request, type APIRequestContext, type APIResponse } from '@playwright/test';
import { demoPassword } from '../../lib/db/demo-data';

/** The app's address, as playwright.config.ts computes it (hooks have no baseURL fixture). */
export const appBaseURL = process.env.APP_URL ?? `http://127.0.0.1:${process.env.APP_PORT ?? 3000}`;
export const appOrigin = new URL(appBaseURL).origin;

/** The session as next-auth's GET /api/auth/session reports it. */
export interface SessionInfo {
  admin?: { id: string; email: string; role: 'admin' | 'viewer'; tenantId: string; environmentId: string };
}

/** A request context without any cookie. */
export function anonymousContext(): Promise<APIRequestContext> {
  return request.newContext({ baseURL: appBaseURL });
}

async function csrfToken(context: APIRequestContext): Promise<string> {
  const response = await context.get('/api/auth/csrf');
  expect(response.status(), 'GET /api/auth/csrf').toBe(200);
  const { csrfToken: token } = (await response.json()) as { csrfToken?: string };
  if (!token) throw new Error('GET /api/auth/csrf returned no csrfToken');
  return token;
}

/**
 * Signs in through next-auth's own endpoints (csrf → credentials callback) and returns a
 * context holding the session cookie. Throws unless the session then names `email`.
 */
export async function signInApi(email: string, password: string = demoPassword): Promise<APIRequestContext> {
  const context = await anonymousContext();
  const token = await csrfToken(context);
  const response = await context.post('/api/auth/callback/credentials', {
    form: { email, password, csrfToken: token, json: 'true' },
    maxRedirects: 0,
  });
  if (response.status() >= 400) {
    throw new Error(`sign-in of ${email} failed: HTTP ${response.status()} ${await response.text()}`);
  }
  const session = await readSession(context);
  if (session.admin?.email !== email) {
    throw new Error(`sign-in of ${email} did not create a session (callback said: ${await response.text()})`);
  }
  return context;
}

/** The context's cookies as one Cookie header, for clients other than Playwright's own. */
export async function cookieHeader(context: APIRequestContext): Promise<string> {
  const { cookies } = await context.storageState();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

export async function readSession(context: APIRequestContext): Promise<SessionInfo> {
  const response = await context.get('/api/auth/session');
  expect(response.status(), 'GET /api/auth/session').toBe(200);
  return ((await response.json()) ?? {}) as SessionInfo;
}

/**
 * What next-auth's useSession().update(data) sends (node_modules/next-auth/react/index.js):
 * POST /api/auth/session with JSON `{ csrfToken, data }`. The new session cookie lands in
 * the context.
 */
export async function updateSession(context: APIRequestContext, data: unknown): Promise<APIResponse> {
  const token = await csrfToken(context);
  return context.post('/api/auth/session', {
    headers: { 'content-type': 'application/json' },
    data: { csrfToken: token, data },
  });
}
