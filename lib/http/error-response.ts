import type { AppError } from '../errors';

/**
 * Next gzips every answer of a route handler: it drops the Content-Length that would let the
 * compression middleware's 1 KiB threshold apply, and gzip of a 20-byte body was the largest
 * single share of the web process's CPU in a burst of export requests. `no-transform` (which
 * the middleware honours) skips it for bodies below that threshold.
 */
export function noStore(body: string): string {
  return body.length < 1024 ? 'no-store, no-transform' : 'no-store';
}

export function errorResponse(error: AppError): Response {
  const body = JSON.stringify(error.toBody());
  const headers = new Headers({ 'content-type': 'application/json', 'cache-control': noStore(body) });
  if (error.options.retryAfterSeconds !== undefined) headers.set('retry-after', String(Math.max(1, Math.ceil(error.options.retryAfterSeconds))));
  return new Response(body, { status: error.status, headers });
}
