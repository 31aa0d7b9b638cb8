/**
 * What server.mjs does to every request before Next sees it. Plain ESM JavaScript because
 * the custom server runs under plain `node` (no TypeScript loader in production); types in
 * front-door.d.mts. Kept free of side effects so the unit tests can import it.
 */

import { peerHeader, urlHeader } from '../front-door-headers.mjs';

export { peerHeader, urlHeader };

/**
 * Where to listen. Development binds loopback unless HOST says otherwise: a dev server runs
 * with demo logins and a published session secret. Production binds every interface, as a
 * container behind a proxy needs.
 */
export function listenAddress(dev, env) {
  const host = env.HOST || (dev ? '127.0.0.1' : '0.0.0.0');
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`);
  return { host, port };
}

/** The methods the API and pages use (see /api/openapi.json); anything else never reaches Next. */
export const allowedMethods = ['GET', 'HEAD', 'POST', 'OPTIONS'];

/** The product's error body for a refused method (status 405, code `validation`). */
export function methodNotAllowedBody(method) {
  // Echo only a token-shaped method name: it is attacker-chosen text.
  const shown = /^[A-Za-z-]{1,20}$/.test(method ?? '') ? method : 'this';
  return JSON.stringify({
    error: { code: 'validation', message: `Method ${shown} is not supported`, hint: 'Use GET or POST as /api/openapi.json documents.' },
  });
}

/**
 * Path and query of a request URL, without Next's `_rsc` cache-busting parameter. The rest
 * is kept byte for byte (no URL normalisation, which would turn `/\x` into `//x`): the
 * reader must still treat it as untrusted input.
 */
export function requestPath(rawUrl) {
  const url = rawUrl || '/';
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '' && pair.split('=')[0] !== '_rsc');
  return url.slice(0, at) + (query.length ? `?${query.join('&')}` : '');
}

/**
 * Response headers for every page and API answer. Next's App Router inlines its bootstrap
 * scripts, hence 'unsafe-inline' for scripts (nonces would make every page dynamic); the
 * progress bar's width is an inline style. Development adds eval (React Refresh) and the
 * HMR websocket. frame-ancestors 'none' and X-Frame-Options stop clickjacking.
 */
export function securityHeaders({ dev, https }) {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    ...(https ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/**
 * Replaces the internal headers with what this server saw: the socket's peer address
 * (lib/request-origin.ts reads it) and the requested path (the admin layout keeps it
 * as the deep link when it redirects to /login).
 */
export function stampRequest(req) {
  delete req.headers[peerHeader];
  delete req.headers[urlHeader];
  req.headers[peerHeader] = req.socket.remoteAddress ?? 'unknown';
  req.headers[urlHeader] = requestPath(req.url);
  // rawHeaders is what Next reads in some paths; drop the client's copies there too.
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    const name = raw[i].toLowerCase();
    if (name === peerHeader || name === urlHeader) raw.splice(i, 2);
  }
}

/**
 * Adds `defaults` to the response head when it is written, so a route's own header wins
 * (the download sets Referrer-Policy: no-referrer; Next never overwrites a header that is
 * already set, so setting them up front would silently drop the route's). Also gives
 * Next's bare 405 (a POST to a GET-only API route) the product's error body.
 */
export function withResponseDefaults(req, res, defaults) {
  let bare405 = false;
  const writeHead = res.writeHead;
  res.writeHead = function (status, ...rest) {
    for (const [name, value] of Object.entries(defaults)) if (!this.hasHeader(name)) this.setHeader(name, value);
    if (status === 405 && req.url?.startsWith('/api/') && !this.hasHeader('content-type') && typeof rest.at(-1) !== 'object') {
      bare405 = true;
      this.setHeader('Content-Type', 'application/json');
    }
    return writeHead.call(this, status, ...rest);
  };
  const end = res.end;
  res.end = function (chunk, ...rest) {
    if (bare405 && (chunk == null || typeof chunk === 'function')) {
      return end.call(this, methodNotAllowedBody(req.method), ...(chunk ? [chunk] : []), ...rest);
    }
    return end.call(this, chunk, ...rest);
  };
}
