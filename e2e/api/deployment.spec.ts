import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { encode } from 'next-auth/jwt';
import { devSecretPrefix } from '../../lib/env';
import { spawnChild, startChild } from '../../scripts/lib/child-process';
import { logins, signIn } from '../fixtures';
import { acmeProductionClaims, createTestAdmin } from './accounts';
import { connectDb, seededTenant } from './data';
import { appBaseURL } from './session';

/**
 * Deployment defaults (issue 9 §5 and §6), against the production server as `npm start`
 * runs it: bad configuration stops it at boot, methods Next cannot handle are refused
 * before Next sees them, and every answer carries the security headers.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node server.mjs` (production) with `overrides`; resolves when it exits or, wrongly, serves. */
async function boot(overrides: Record<string, string | undefined>): Promise<{ outcome: number | 'serving'; output: string }> {
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(await freePort()), HOST: '127.0.0.1', ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete env[key];
  let serving = false;
  const child = spawnChild({
    name: 'web',
    command: process.execPath,
    args: ['server.mjs'],
    cwd: root,
    env,
    onLine: (line) => {
      // A server that comes up with bad configuration is the failure under test.
      if (!serving && /Ready/.test(line)) {
        serving = true;
        child.kill('SIGKILL');
      }
    },
  });
  const { code, signal } = await child.exited;
  return { outcome: serving ? 'serving' : (code ?? (signal ? -1 : 0)), output: child.output() };
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, because fetch refuses TRACE. */
function send(method: string, path: string, options: { base?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, options.base ?? appBaseURL), { method, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

test.describe('production start with bad configuration', () => {
  test('refuses to start without a secret or public URL, listing both problems', async () => {
    const { outcome, output } = await boot({ NEXTAUTH_SECRET: undefined, NEXTAUTH_URL: undefined });
    expect(outcome, output).not.toBe('serving');
    expect(outcome, output).not.toBe(0);
    expect(output).toContain('NEXTAUTH_SECRET is required');
    expect(output).toContain('NEXTAUTH_URL is required');
    expect(output, 'just the list, no stack trace').not.toMatch(/^\s+at /m);
  });

  test('refuses the published dev secret and plain http on a public host', async () => {
    const { outcome, output } = await boot({ NEXTAUTH_SECRET: `${devSecretPrefix}${'x'.repeat(32)}`, NEXTAUTH_URL: 'http://exports.example.com' });
    expect(outcome, output).not.toBe('serving');
    expect(outcome, output).not.toBe(0);
    expect(output).toMatch(/NEXTAUTH_SECRET is the public development value/);
    expect(output).toMatch(/NEXTAUTH_URL must be https:\/\//);
  });

  test('refuses a short secret', async () => {
    const { outcome, output } = await boot({ NEXTAUTH_SECRET: 'too-short-to-be-a-secret' });
    expect(outcome, output).not.toBe('serving');
    expect(outcome, output).not.toBe(0);
    expect(output).toMatch(/NEXTAUTH_SECRET must be at least 32 characters/);
  });
});

test.describe('unsupported HTTP methods', () => {
  for (const path of ['/api/exports', '/login']) {
    for (const method of ['TRACE', 'PUT', 'DELETE']) {
      test(`${method} ${path} answers 405 with the error body`, async () => {
        const response = await send(method, path);
        expect(response.status, response.body).toBe(405);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
        expect(JSON.parse(response.body)).toEqual({
          error: { code: 'validation', message: `Method ${method} is not supported`, hint: expect.stringContaining('/api/openapi.json') },
        });
      });
    }
  }

  test('a POST to a GET-only API route gets the same error body', async () => {
    const response = await send('POST', '/api/openapi.json');
    expect(response.status).toBe(405);
    expect((JSON.parse(response.body) as { error: { code: string } }).error.code).toBe('validation');
  });
});

test.describe('compression', () => {
  test('small JSON answers go out as they are, large ones gzipped', async () => {
    // gzip of a 20-byte error body costs the web process more CPU than the answer itself.
    const small = await send('GET', '/api/exports', { headers: { 'accept-encoding': 'gzip' } });
    expect(small.status).toBe(401);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body)).toMatchObject({ error: { code: 'unauthorized' } });
    const large = await send('GET', '/api/openapi.json', { headers: { 'accept-encoding': 'gzip' } });
    expect(large.status).toBe(200);
    expect(large.headers['content-encoding']).toBe('gzip');
  });
});

test.describe('security headers', () => {
  for (const path of ['/login', '/api/openapi.json', '/api/exports']) {
    test(`${path} carries them`, async () => {
      const { headers } = await send('GET', path);
      const csp = String(headers['content-security-policy']);
      for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "default-src 'self'"]) {
        expect(csp).toContain(directive);
      }
      expect(csp, 'production needs no eval').not.toContain('unsafe-eval');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(headers['permissions-policy']).toBeTruthy();
      // The tests serve plain http on loopback: HSTS there would pin a dev host to https.
      expect(headers['strict-transport-security']).toBeUndefined();
    });
  }

  test('another site cannot frame the console', async ({ page }) => {
    const framed = page.waitForEvent('framenavigated', (frame) => frame !== page.mainFrame());
    await page.setContent(`<iframe src="${appBaseURL}/login" width="600" height="400"></iframe>`);
    const frame = await framed;
    await frame.waitForLoadState('load').catch(() => undefined);
    await expect(page.frameLocator('iframe').getByRole('button', { name: 'Sign in' })).toHaveCount(0);
    // Positive control: the page itself renders the button when not framed.
    await page.goto('/login');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  });

  test('pages work under the policy: no CSP violation while signing in and browsing', async ({ page }) => {
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    await signIn(page, logins.acmeAdmin);
    await page.goto('/exports');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await page.goto('/audit');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(violations).toEqual([]);
  });
});

test.describe('production start behind https, with a shorter session lifetime', () => {
  // A second production server on its own port, configured as an operator would behind a
  // TLS-terminating proxy: NEXTAUTH_URL is https, SESSION_MAX_AGE_SECONDS is 10 minutes.
  const maxAge = 600;
  let base = '';
  let stop: (() => Promise<void>) | undefined;

  test.beforeAll(async () => {
    const port = await freePort();
    const server = await startChild({
      name: 'web-https',
      command: process.execPath,
      args: ['server.mjs'],
      cwd: root,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NEXTAUTH_URL: 'https://exports.example.test', SESSION_MAX_AGE_SECONDS: String(maxAge) },
      ready: { line: /Ready on/ },
      readyTimeoutMs: 60_000,
    });
    base = `http://127.0.0.1:${port}`;
    stop = () => server.stop();
  });
  test.afterAll(async () => {
    await stop?.();
  });

  test('answers carry HSTS and its cookies are Secure', async () => {
    const page = await send('GET', '/login', { base });
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const csrf = await send('GET', '/api/auth/csrf', { base });
    const cookies = [csrf.headers['set-cookie'] ?? []].flat();
    expect(cookies.length, csrf.body).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatch(/^__(Host|Secure)-next-auth\.[^;]+;.*\bSecure\b/i);
  });

  test('a session ends at SESSION_MAX_AGE_SECONDS after sign-in, not at 8 hours', async () => {
    const db = await connectDb();
    try {
      const acme = await seededTenant(db, 'acme', logins.acmeAdmin);
      const admin = await createTestAdmin(db, 'acme');
      const claims = acmeProductionClaims(admin, acme);
      const now = Math.floor(Date.now() / 1000);
      const cookie = async (authTime: number) =>
        `__Secure-next-auth.session-token=${await encode({ secret: process.env.NEXTAUTH_SECRET!, token: { sub: admin.id, admin: claims, authTime, sessionVersion: 0 } })}`;
      // Control: signed in a minute ago, accepted; so only the age differs below.
      const fresh = await send('GET', '/api/exports?limit=1', { base, headers: { cookie: await cookie(now - 60) } });
      expect(fresh.status, fresh.body).toBe(200);
      const old = await send('GET', '/api/exports?limit=1', { base, headers: { cookie: await cookie(now - maxAge - 60) } });
      expect(old.status, old.body).toBe(401);
    } finally {
      await db.end();
    }
  });
});
