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

/**
 * POSTs a chunked body (no Content-Length) that goes on for up to `totalBytes`, written as
 * fast as the server takes it, and resolves with the answer. `answeredBeforeEnd` says
 * whether the answer came while the body was still unfinished: a server that reads a body
 * whole before checking its size can only answer after the end, and meanwhile a slow or
 * endless body holds it. `totalBytes` is far beyond what socket buffers absorb, so a
 * server that stops reading stops the writes too.
 */
export function postEndlessBody(
  path: string,
  options: { headers?: Record<string, string>; totalBytes?: number } = {},
): Promise<RawResponse & { answeredBeforeEnd: boolean; sentBytes: number; resetBeforeAnswer: boolean }> {
  const url = new URL(path, appBaseURL);
  const totalBytes = options.totalBytes ?? 64 * 1024 * 1024;
  const chunk = Buffer.alloc(16 * 1024, 'x');
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let ended = false;
    let answered = false;
    const request = http.request(
      {
        method: 'POST',
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers: { ...options.headers, 'transfer-encoding': 'chunked' },
        agent: false,
      },
      (response) => {
        answered = true;
        const answeredBeforeEnd = !ended;
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (part: string) => (text += part));
        response.on('end', () => {
          request.destroy();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, answeredBeforeEnd, sentBytes, resetBeforeAnswer: false });
        });
      },
    );
    // The server may close the connection under a body it refused. Its 413 is sent first, but the
    // close with body bytes unread makes the kernel reset the connection, and a reset can drop the
    // answer before it is read (CI saw EPIPE). A reset while the body was still being sent is
    // reported as such; any other error before an answer fails.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      if ((error.code === 'EPIPE' || error.code === 'ECONNRESET') && !ended) {
        resolve({ status: 0, headers: {}, text: '', answeredBeforeEnd: true, sentBytes, resetBeforeAnswer: true });
      } else reject(error);
    });
    const pump = (): void => {
      if (answered || request.destroyed) return;
      if (sentBytes >= totalBytes) {
        ended = true;
        request.end();
        return;
      }
      sentBytes += chunk.length;
      request.write(chunk, () => pump());
    };
    pump();
  });
}
