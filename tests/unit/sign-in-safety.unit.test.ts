import { describe, expect, it } from 'vitest';
import { needsRehash } from '../../lib/auth/password';
import { safeReturnPath } from '../../lib/auth/return-path';
import { clientAddress, peerHeader } from '../../lib/request-origin';

describe('return path after sign-in', () => {
  it.each([
    ['/\\evil.com', '/users'],
    ['/\t/evil.com', '/users'],
    ['//evil.com/exports', '/users'],
    ['https://evil.com/exports', '/users'],
    ['/users/../../evil.com', '/users'],
    ['/api/exports', '/users'],
    ['/login', '/users'],
    ['exports', '/users'],
    ['/exports?status=failed', '/exports?status=failed'],
    ['/exports?status=failed&_rsc=abc', '/exports?status=failed'],
    ['/audit', '/audit'],
  ])('%j → %j', (raw, expected) => {
    expect(safeReturnPath(raw)).toBe(expected);
  });
});

describe('client address', () => {
  const headers = (forwarded?: string) => new Headers({ [peerHeader]: '10.0.0.5', ...(forwarded ? { 'x-forwarded-for': forwarded } : {}) });

  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress(headers('6.6.6.6'), 0)).toBe('10.0.0.5');
  });

  it('is read from the right of X-Forwarded-For, one entry per trusted hop', () => {
    // The client wrote "6.6.6.6"; the trusted proxy appended the address it saw.
    expect(clientAddress(headers('6.6.6.6, 198.51.100.9'), 1)).toBe('198.51.100.9');
    expect(clientAddress(headers('6.6.6.6, 198.51.100.9, 10.0.0.4'), 2)).toBe('198.51.100.9');
  });

  it('never reads past the left end', () => {
    expect(clientAddress(headers('198.51.100.9'), 3)).toBe('198.51.100.9');
    expect(clientAddress(new Headers(), 0)).toBe('unknown');
  });
});

describe('password hashes', () => {
  it('made with older scrypt parameters are flagged for a rehash', () => {
    expect(needsRehash('scrypt$16384$8$1$c2FsdA==$aGFzaA==')).toBe(true);
    expect(needsRehash('scrypt$32768$8$3$c2FsdA==$aGFzaA==')).toBe(false);
  });
});
