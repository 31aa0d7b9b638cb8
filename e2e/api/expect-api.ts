import { expect, type APIResponse } from '@playwright/test';

export const errorCodes = [
  'validation',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'gone',
  'payload_too_large',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string; hint: string };
}

/** Markers of internals that must never reach a client: stack frames, module paths, raw errors. */
export function expectNoInternals(text: string, label: string): void {
  expect(text, `${label}: stack frame in the body`).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  expect(text, `${label}: module path in the body`).not.toContain('node_modules');
  expect(text, `${label}: raw error in the body`).not.toContain('Error:');
}

/**
 * Asserts the response is exactly `{ error: { code, message, hint } }` with the given
 * status (and the code SPEC §6 pairs with it), non-empty message and hint, and no
 * internals. Returns the parsed body and the raw text.
 */
export async function expectApiError(response: APIResponse, status: number | number[], label: string): Promise<{ body: ErrorBody; text: string }> {
  const text = await response.text();
  const statuses = [status].flat();
  expect(statuses, `${label}: HTTP ${response.status()} ${text.slice(0, 500)}`).toContain(response.status());
  expect(response.headers()['content-type'] ?? '', `${label}: content-type`).toMatch(/^application\/json/);
  let body: ErrorBody;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    throw new Error(`${label}: the body is not JSON: ${text.slice(0, 500)}`);
  }
  expect(Object.keys(body), `${label}: ${text.slice(0, 500)}`).toEqual(['error']);
  expect(Object.keys(body.error ?? {}).sort(), `${label}: ${text.slice(0, 500)}`).toEqual(['code', 'hint', 'message']);
  expect(body.error.code, label).toBe(codeForStatus(response.status()));
  expect(typeof body.error.message === 'string' && body.error.message.trim().length > 0, `${label}: empty message`).toBe(true);
  expect(typeof body.error.hint === 'string' && body.error.hint.trim().length > 0, `${label}: empty hint`).toBe(true);
  expectNoInternals(text, label);
  return { body, text };
}

export function codeForStatus(status: number): ErrorCode {
  const code = (
    {
      400: 'validation',
      401: 'unauthorized',
      403: 'forbidden',
      404: 'not_found',
      409: 'conflict',
      410: 'gone',
      413: 'payload_too_large',
      429: 'rate_limited',
      503: 'unavailable',
      500: 'internal',
    } as const
  )[status];
  if (!code) throw new Error(`HTTP ${status} has no error code in SPEC §6`);
  return code;
}
