import type { ScryptOptions } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

/**
 * Each sign-in costs a scrypt run on libuv's thread pool, which the whole web process
 * shares (DNS, fs, zlib): a burst of sign-ins must queue for at most two threads, and each
 * run uses OWASP's parameters with a memory bound (issue 9 §1 and §6).
 */
const scryptCalls = vi.hoisted(() => ({ pending: [] as (() => void)[], options: [] as ScryptOptions[] }));

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return {
    ...actual,
    // Held until the test releases it, so the number running at once can be counted.
    scrypt: (_password: string, _salt: Buffer, keyLength: number, options: ScryptOptions, done: (error: Error | null, key: Buffer) => void) => {
      scryptCalls.options.push(options);
      scryptCalls.pending.push(() => done(null, Buffer.alloc(keyLength, 1)));
    },
  };
});

const { hashPassword } = await import('../../lib/auth/password');

describe('password hashing', () => {
  it('runs at most two scrypt hashes at a time however many sign-ins arrive', async () => {
    let finished = false;
    const all = Promise.all(Array.from({ length: 8 }, (_, i) => hashPassword(`password-${i}`))).then(() => {
      finished = true;
    });
    let mostAtOnce = 0;
    while (!finished) {
      await new Promise((resolve) => setImmediate(resolve));
      mostAtOnce = Math.max(mostAtOnce, scryptCalls.pending.length);
      scryptCalls.pending.shift()?.();
    }
    await all;
    expect(scryptCalls.options).toHaveLength(8);
    expect(mostAtOnce).toBe(2);
  });

  it('uses OWASP parameters (N=2^15, r=8, p=3) with maxmem above what they need', async () => {
    const hashed = hashPassword('a-password');
    await new Promise((resolve) => setImmediate(resolve));
    scryptCalls.pending.shift()?.();
    expect(await hashed).toMatch(/^scrypt\$32768\$8\$3\$/);
    const options = scryptCalls.options.at(-1)!;
    expect(options).toMatchObject({ N: 2 ** 15, r: 8, p: 3 });
    // Node refuses a run that needs more than maxmem (about 128·N·r bytes); its default is 32 MiB.
    expect(options.maxmem).toBeGreaterThan(128 * options.N! * options.r!);
  });
});
