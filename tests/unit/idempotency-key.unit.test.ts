import { describe, expect, it } from 'vitest';
import { isAppError } from '../../lib/errors';
import { readIdempotencyKey } from '../../lib/http/idempotency-key';

const read = (value?: string) => readIdempotencyKey(new Headers(value === undefined ? {} : { 'idempotency-key': value }));
const refusal = (value: string) => {
  try {
    read(value);
    return undefined;
  } catch (error) {
    return isAppError(error) ? error.status : error;
  }
};

describe('Idempotency-Key header', () => {
  it('is optional', () => {
    expect(read()).toBeUndefined();
  });

  it('takes the draft structured-field string and a bare token alike', () => {
    expect(read('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(read('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
  });

  it('refuses empty, oversized and non-printable keys with 400', () => {
    expect(refusal('')).toBe(400);
    expect(refusal('""')).toBe(400);
    expect(refusal('x'.repeat(256))).toBe(400);
    expect(refusal('a\tb')).toBe(400);
  });
});
