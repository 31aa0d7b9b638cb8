import { z } from 'zod';
import { AppError } from '../errors';

/**
 * Opaque keyset cursors: base64url of a JSON pair [sortKey, id]. Clients must not build
 * them; a cursor that does not decode is a validation error, never a 500.
 */
export function encodeCursor(sortKey: string, id: string): string {
  return Buffer.from(JSON.stringify([sortKey, id]), 'utf8').toString('base64url');
}

// Postgres text cannot hold NUL, so a key carrying one is refused here rather than by the database.
const pairSchema = z.tuple([
  z
    .string()
    .min(1)
    .max(400)
    .refine((key) => !key.includes('\u0000')),
  z.uuid(),
]);

export function decodeCursor(cursor: string): { sortKey: string; id: string } {
  try {
    const [sortKey, id] = pairSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { sortKey, id };
  } catch {
    throw invalidCursor();
  }
}

export function invalidCursor(): AppError {
  return new AppError(
    'validation',
    'The cursor is not valid',
    'Pass back the nextCursor value from the previous page unchanged, or omit it to start from the first page.',
  );
}

const isoMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A cursor whose sort key is a creation time, as encodeCursor(date.toISOString(), id) made it. */
export function decodeTimeCursor(cursor: string): { createdAt: Date; id: string } {
  const { sortKey, id } = decodeCursor(cursor);
  const createdAt = new Date(sortKey);
  // Only the four-digit years toISOString() writes: JavaScript dates reach far past Postgres's range.
  if (!isoMillis.test(sortKey) || Number.isNaN(createdAt.getTime())) throw invalidCursor();
  return { createdAt, id };
}
