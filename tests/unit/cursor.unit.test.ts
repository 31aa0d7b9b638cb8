import { describe, expect, it } from 'vitest';
import { decodeCursor, decodeTimeCursor, encodeCursor } from '../../lib/pagination/cursor';
import { listUsersQuerySchema } from '../../lib/users/user.contracts';

const id = '6f1c1d1e-8a9b-4c2d-9e3f-0a1b2c3d4e5f';
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('cursors', () => {
  it('round-trip', () => {
    expect(decodeCursor(encodeCursor('alice@example.com', id))).toEqual({ sortKey: 'alice@example.com', id });
    const at = new Date('2026-11-25T10:11:12.345Z');
    expect(decodeTimeCursor(encodeCursor(at.toISOString(), id))).toEqual({ createdAt: at, id });
  });

  it.each([
    ['not base64 JSON', 'abc'],
    ['wrong shape', raw({ a: 1 })],
    ['a NUL in the key (Postgres text cannot hold it)', raw(['a\u0000b', id])],
    ['an id that is not a UUID', raw(['a', 'x'])],
  ])('refuses %s as a 400 with a hint', (_label, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'validation', hint: expect.stringMatching(/nextCursor/) }));
  });

  it.each([['-200000-01-01T00:00:00.000Z'], ['+275760-09-13T00:00:00.000Z'], ['yesterday'], ['2026-11-25']])('refuses the time %s', (key) => {
    expect(() => decodeTimeCursor(raw([key, id]))).toThrow(expect.objectContaining({ code: 'validation' }));
  });
});

describe('user search', () => {
  it('refuses NUL characters with a message', () => {
    expect(listUsersQuerySchema.safeParse({ search: 'a\u0000b' }).error?.issues[0]?.message).toBe('search must not contain NUL characters');
  });
});
