import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, errorStatus } from '../../lib/errors';
import { toAppError } from '../../lib/error-classification';
import { errorResponse } from '../../lib/http/error-response';

describe('error → response mapping', () => {
  it.each(Object.entries(errorStatus))('%s answers %i', (code, status) => {
    expect(new AppError(code as keyof typeof errorStatus, 'm', 'h').status).toBe(status);
  });

  it('zod errors become 400 validation naming the field', () => {
    const error = toAppError(z.object({ userId: z.uuid('User ID must be a UUID') }).safeParse({ userId: 'x' }).error);
    expect(error.code).toBe('validation');
    expect(error.message).toBe('userId: User ID must be a UUID');
    expect(error.hint).toMatch(/openapi/);
  });

  it('a database that refuses connections becomes 503 with Retry-After', async () => {
    const error = toAppError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect(error.code).toBe('unavailable');
    const response = errorResponse(error);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('a query cut off by the statement timeout becomes 503 with Retry-After, not 500', async () => {
    const error = toAppError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }));
    expect([error.code, errorResponse(error).status, errorResponse(error).headers.get('retry-after')]).toEqual(['unavailable', 503, '5']);
  });

  it('unknown errors become 500 without internals', async () => {
    const response = errorResponse(toAppError(new TypeError("Cannot read properties of undefined (reading 'secret')")));
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body).toEqual({ error: { code: 'internal', message: 'Something went wrong on our side', hint: expect.any(String) } });
    expect(JSON.stringify(body)).not.toMatch(/secret|TypeError|at /);
  });
});
