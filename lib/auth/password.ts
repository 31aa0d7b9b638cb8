import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with Node's built-in scrypt (no native addon to approve or build).
 * Stored as `scrypt$N$r$p$salt$hash`, so a hash made with older parameters still verifies
 * and is replaced on the next successful sign-in (see needsRehash).
 *
 * N=2^15, r=8, p=3 is one of OWASP's equivalent scrypt settings (Password Storage Cheat
 * Sheet); it needs 32 MiB per hash where N=2^17, p=1 needs 128 MiB for the same work.
 */
const params = { N: 2 ** 15, r: 8, p: 3 } as const;
const keyLength = 32;
// scrypt needs about 128·N·r bytes plus a little; Node refuses above maxmem (default 32 MiB).
const maxmem = 64 * 1024 * 1024;

// Each hash holds a libuv thread (4 shared by the whole process: DNS, fs, zlib) and 32 MiB,
// so a flood of sign-ins queues here instead of starving everything else.
const maxConcurrentHashes = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= maxConcurrentHashes) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return withHashSlot(
    () => new Promise((resolve, reject) => scryptCb(password, salt, keyLength, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key)))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** True when a stored hash was made with other parameters than today's. */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) !== params.N || Number(r) !== params.r || Number(p) !== params.p;
}

/** A hash of a random password, compared against when the email is unknown so that a
 * wrong email takes as long as a wrong password. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  return (decoy ??= hashPassword(randomBytes(16).toString('hex')));
}
