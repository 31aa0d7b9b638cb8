import http from 'node:http';
import { appBaseURL } from './session';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One request on its own connection, from a chosen local address: Linux routes all of
 * 127.0.0.0/8 to loopback, so 127.0.0.2 and 127.0.0.3 are two different clients to the
 * server's socket. Any method and any header, which fetch() would refuse or rewrite.
 */
export function rawRequest(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; from?: string } = {},
): Promise<RawResponse> {
  const url = new URL(path, appBaseURL);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { method, host: url.hostname, port: url.port, path: url.pathname + url.search, headers: options.headers, localAddress: options.from, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** The credentials callback as the login form posts it, with the given cookie jar. */
export function postCredentials(
  fields: { email: string; password: string; csrfToken: string },
  options: { cookie: string; from?: string; path?: string; headers?: Record<string, string> },
): Promise<RawResponse> {
  return rawRequest('POST', options.path ?? '/api/auth/callback/credentials', {
    from: options.from,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: options.cookie, ...options.headers },
    body: new URLSearchParams({ ...fields, json: 'true' }).toString(),
  });
}

/** The session cookie a sign-in response set, if any. */
export function sessionCookieSet(response: RawResponse): boolean {
  return [response.headers['set-cookie'] ?? []].flat().some((c) => /^(__Secure-)?next-auth\.session-token=[^;]+/.test(c));
}
