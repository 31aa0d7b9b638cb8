import { decode, getToken, type JWT, type JWTDecodeParams } from 'next-auth/jwt';

/**
 * The request's session token (next-auth's encrypted cookie), decoded. Decoding costs an
 * HKDF key derivation and an AES-GCM decryption per request, a visible share of the web's
 * CPU in a burst of API calls that all carry the same few cookies. A cookie's payload never
 * changes, so a decoded one is kept until its own `exp`. This is not a session cache:
 * whether the session still stands (revocation, role, lifetime) is checked against the
 * database on every request (session-claims.ts), whatever is kept here.
 */
export function sessionToken(request: Request, secret: string): Promise<JWT | null> {
  return getToken({ req: request as never, secret, decode: decodeKept });
}

/** Tokens seen recently, by their cookie text; bounded, emptied when full. */
const kept = new Map<string, JWT>();
const keptMax = 1_000;

export async function decodeKept(params: JWTDecodeParams, now = Date.now()): Promise<JWT | null> {
  const token = params.token;
  if (!token) return null;
  const key = `${params.secret}\0${token}`;
  const known = kept.get(key);
  // next-auth refuses an expired token (jose, 15 s tolerance); a kept one ends at `exp` exactly.
  if (known && typeof known.exp === 'number' && known.exp * 1000 > now) return known;
  kept.delete(key);
  const payload = await decode(params);
  if (payload && typeof payload.exp === 'number') {
    if (kept.size >= keptMax) kept.clear();
    kept.set(key, payload);
  }
  return payload;
}
