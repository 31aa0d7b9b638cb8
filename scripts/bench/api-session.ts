import type { ExportDto } from '../../lib/exports/export.contracts';

/**
 * A signed-in API client with a cookie jar, the way the login form signs in: next-auth's
 * CSRF token, then the credentials callback (form-encoded), keeping every Set-Cookie.
 * State-changing requests carry the app's Origin, as a browser would.
 */
export class ApiSession {
  private constructor(
    readonly baseUrl: string,
    private readonly cookies = new Map<string, string>(),
  ) {}

  /** The same session (one cookie jar) against another instance of the app, as behind a load balancer. */
  at(baseUrl: string): ApiSession {
    return new ApiSession(baseUrl, this.cookies);
  }

  static async signIn(baseUrl: string, email: string, password: string): Promise<ApiSession> {
    const session = new ApiSession(baseUrl);
    const csrf = await session.request('GET', '/api/auth/csrf');
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const form = new URLSearchParams({ csrfToken, email, password, callbackUrl: `${baseUrl}/users`, json: 'true' });
    const signedIn = await session.request('POST', '/api/auth/callback/credentials', {
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await signedIn.body?.cancel();
    if (![...session.cookies.keys()].some((name) => name.endsWith('next-auth.session-token'))) {
      throw new Error(`sign-in as ${email} failed (HTTP ${signedIn.status}): no session cookie`);
    }
    return session;
  }

  /** Switches the session's environment as the header's select does (next-auth `update()`). */
  async switchEnvironment(environmentId: string): Promise<void> {
    const { csrfToken } = (await (await this.request('GET', '/api/auth/csrf')).json()) as { csrfToken: string };
    const response = await this.request('POST', '/api/auth/session', {
      body: JSON.stringify({ csrfToken, data: { environmentId } }),
      headers: { 'content-type': 'application/json' },
    });
    const session = (await response.json()) as { admin?: { environmentId?: string } };
    if (session.admin?.environmentId !== environmentId) throw new Error(`switching to environment ${environmentId} failed (HTTP ${response.status})`);
  }

  async request(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET') headers.origin = this.baseUrl;
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: init.body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq > 0) this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return response;
  }

  /** POST /api/users/{id}/exports → the export and the HTTP status (202 new, 200 deduplicated). */
  async requestExport(userId: string): Promise<{ status: number; export?: ExportDto; error?: unknown }> {
    const response = await this.request('POST', `/api/users/${userId}/exports`);
    const body = (await response.json()) as { export?: ExportDto; error?: unknown };
    return { status: response.status, export: body.export, error: body.error };
  }

  async getExport(id: string): Promise<ExportDto> {
    const response = await this.request('GET', `/api/exports/${id}`);
    const body = (await response.json()) as { export?: ExportDto; error?: unknown };
    if (!response.ok || !body.export) throw new Error(`GET /api/exports/${id}: HTTP ${response.status} ${JSON.stringify(body.error)}`);
    return body.export;
  }
}
