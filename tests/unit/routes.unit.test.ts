import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { openApiDocument } from '../../lib/http/openapi';
import { checksOrigin, type DeclaredRoute, type RouteDeclaration, routes, splitRouteKey } from '../../lib/http/routes';

/**
 * The route list (lib/http/routes.ts) is the one place a route is declared: these tests
 * hold the route files, withRoute's guards and the OpenAPI document to it. The guards are
 * exercised without a session (no cookie means no database read); e2e/api/isolation.spec.ts
 * walks the same list with real sessions for the role and tenant checks.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const declared = Object.entries(routes) as [DeclaredRoute, RouteDeclaration][];
const origin = 'http://console.test';

// withRoute reads the secret only to look for a session cookie; the rest of the env is not needed here.
vi.mock('../../lib/env', async (actual) => ({
  ...(await actual<typeof import('../../lib/env')>()),
  webEnv: () => ({ NEXTAUTH_SECRET: 'unit-test-secret-that-is-long-enough-32', TRUSTED_PROXY_HOPS: 0, SESSION_MAX_AGE_SECONDS: 3600 }),
}));

type Handler = ((request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>) & { route?: string };
/** `METHOD /api/path` → the handler its route file exports. */
const exported = new Map<string, Handler>();

beforeAll(async () => {
  const files = (await readdir(path.join(root, 'app/api'), { recursive: true })).filter((f) => path.basename(f) === 'route.ts');
  for (const file of files) {
    // app/api/exports/[id]/route.ts → /api/exports/{id}; [...nextauth] → {...nextauth}
    const routePath = `/api/${path.dirname(file).split(path.sep).join('/')}`.replace(/\[([^\]]+)\]/g, '{$1}');
    const module = (await import(path.join(root, 'app/api', file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (methods.includes(name)) exported.set(`${name} ${routePath}`, value as Handler);
    }
  }
}, 60_000);

const pathOf = (key: DeclaredRoute) => splitRouteKey(key).path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
function call(key: DeclaredRoute, headers: Record<string, string>): Promise<Response> {
  const { method } = splitRouteKey(key);
  const request = new Request(`${origin}${pathOf(key)}`, { method, headers: { host: new URL(origin).host, ...headers } });
  return exported.get(key)!(request, {
    params: Promise.resolve({ id: '00000000-0000-4000-8000-000000000000', userId: '00000000-0000-4000-8000-000000000000' }),
  });
}

describe('the route list', () => {
  it('has one entry for every handler an app/api route file exports, and no other', () => {
    expect([...exported.keys()].sort()).toEqual(declared.map(([key]) => key).sort());
  });

  it('each handler is withRoute with its own declaration (next-auth’s own endpoints excepted)', () => {
    for (const [key, route] of declared) {
      const handler = exported.get(key);
      if (route.handledBy === 'next-auth') expect(handler?.route, key).toBeUndefined();
      else expect(handler?.route, key).toBe(key);
    }
  });

  it('every route that is not public answers 401 without a session', async () => {
    // Making a route public is a decision to see in review: the list of them is pinned here.
    expect(declared.filter(([, route]) => route.access === 'public').map(([key]) => key)).toEqual([
      'GET /api/health',
      // The load balancer's and orchestrator's probes: they carry no session, and say only whether.
      'GET /api/health/live',
      'GET /api/health/ready',
      'GET /api/openapi.json',
      'GET /api/auth/{...nextauth}',
      'POST /api/auth/{...nextauth}',
    ]);
    const guarded = declared.filter(([, route]) => route.access !== 'public');
    expect(guarded.length).toBeGreaterThan(10);
    for (const [key] of guarded) {
      const response = await call(key, { origin, 'sec-fetch-site': 'same-origin' });
      expect(response.status, key).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code, key).toBe('unauthorized');
    }
  });

  it('every state change and every GET that writes refuses a cross-site request before anything else', async () => {
    const checked = declared.filter(([key, route]) => !route.handledBy && checksOrigin(key));
    expect(checked.map(([key]) => key)).toEqual(
      expect.arrayContaining(['POST /api/users/{userId}/exports', 'GET /api/exports/{id}/download', 'GET /api/audit.csv']),
    );
    for (const [key] of checked) {
      for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
        const response = await call(key, headers);
        expect(response.status, `${key} ${JSON.stringify(headers)}`).toBe(403);
        expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/Cross-site/);
      }
    }
  });

  it('the OpenAPI document has exactly the documented routes, public ones marked so', () => {
    const doc = openApiDocument();
    const documented = declared.filter(([, route]) => route.doc).map(([key]) => splitRouteKey(key));
    const inDoc = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(inDoc.sort()).toEqual(documented.map(({ method, path: p }) => `${method} ${p}`).sort());
    for (const [key, route] of declared) {
      if (!route.doc) continue;
      const { method, path: p } = splitRouteKey(key);
      const op = (doc.paths[p] as Record<string, { security?: unknown[] }>)[method.toLowerCase()]!;
      expect(op.security, key).toEqual(route.access === 'public' ? [] : undefined);
      if (route.access !== 'public') expect(Object.keys((op as unknown as { responses: object }).responses), key).toContain('401');
    }
  });
});
