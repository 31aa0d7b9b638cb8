import { AppError } from '../errors';

/** Longest key accepted: room for a UUID or a client's own scheme, not for a payload. */
export const idempotencyKeyMaxLength = 255;

/**
 * Reads the `Idempotency-Key` request header (IETF httpapi idempotency-key draft). The
 * draft makes it a structured-field string (`"…"`); a bare token is accepted too, as many
 * clients send one. Absent → undefined; empty, too long or non-printable → 400.
 */
export function readIdempotencyKey(headers: Headers): string | undefined {
  const raw = headers.get('idempotency-key');
  if (raw === null) return undefined;
  const trimmed = raw.trim();
  const key = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
  if (key.length === 0 || key.length > idempotencyKeyMaxLength || !/^[\x20-\x7e]+$/.test(key)) {
    throw new AppError(
      'validation',
      'The Idempotency-Key header is not a valid key',
      `Send 1 to ${idempotencyKeyMaxLength} printable ASCII characters, e.g. a fresh UUID per intended export: Idempotency-Key: "<uuid>".`,
    );
  }
  return key;
}
