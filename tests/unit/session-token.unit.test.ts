import { encode } from 'next-auth/jwt';
import { describe, expect, it, vi } from 'vitest';
import { decodeKept } from '../../lib/auth/session-token';

// lib/auth/session-token.ts keeps decoded session cookies; it must answer exactly as next-auth's decode would.
const secret = 'a-test-secret-that-is-long-enough-for-next-auth';
const admin = { id: 'admin-1', email: 'a@acme.test', name: 'A', role: 'admin', tenantId: 'tenant-1', tenantName: 'Acme', environmentId: 'env-1' } as const;
const claims = { admin, authTime: 1, sessionVersion: 1 };

describe('session token decoding', () => {
  it('decodes a cookie, and gives the same payload the second time', async () => {
    const token = await encode({ token: claims, secret, maxAge: 60 });
    const first = await decodeKept({ token, secret });
    expect(first).toMatchObject(claims);
    expect(await decodeKept({ token, secret })).toEqual(first);
  });

  it('refuses a kept token once its own expiry has passed', async () => {
    const token = await encode({ token: claims, secret, maxAge: 60 });
    const payload = await decodeKept({ token, secret });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // Past exp and jose's 15 s tolerance: the kept copy must not answer for it.
      vi.setSystemTime((payload!.exp as number) * 1000 + 20_000);
      await expect(decodeKept({ token, secret })).rejects.toThrow(/exp/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never hands a kept token to another secret', async () => {
    const token = await encode({ token: claims, secret, maxAge: 60 });
    await decodeKept({ token, secret });
    await expect(decodeKept({ token, secret: `${secret}-rotated` })).rejects.toThrow();
  });
});
