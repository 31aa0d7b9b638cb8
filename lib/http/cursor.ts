import { z } from 'zod';
import { AppError } from '../errors';

/**
 * Opaque keyset cursors: base64url of a JSON pair [sortKey, id]. Clients must not build
 * them; a cursor that does not decode is a validation error, never a 500.
 */
export function encodeCursor(sortKey: string, id: string): string {
  return Buffer.from(JSON.stringify([sortKey, id]), 'utf8').toString('base64url');
}

const pairSchema = z.tuple([z.string().min(1).max(400), z.uuid()]);

export function decodeCursor(cursor: string): { sortKey: string; id: string } {
  try {
    const [sortKey, id] = pairSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { sortKey, id };
  } catch {
    throw invalidCursor();
  }
}

export function invalidCursor(): AppError {
  return new AppError('validation', 'The cursor is not valid', 'Pass back the nextCursor value from the previous page unchanged, or omit it to start from the first page.');
}

