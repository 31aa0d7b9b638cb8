import type { AppError } from '../errors';

export function errorResponse(error: AppError): Response {
  const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
  if (error.options.retryAfterSeconds !== undefined) headers.set('retry-after', String(Math.max(1, Math.ceil(error.options.retryAfterSeconds))));
  return new Response(JSON.stringify(error.toBody()), { status: error.status, headers });
}
