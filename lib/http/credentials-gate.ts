import { NextRequest } from 'next/server';
import { getDb } from '../db/web-db';
import { webEnv } from '../env';
import { AppError } from '../errors';
import { clientAddress } from '../request-origin';
import { toAppError } from '../error-classification';
import { errorResponse } from './error-response';
import { readBodyCapped } from './read-body';
import { type SignInAttemptContext, signInContext } from '../auth/sign-in-context';
import { normalizeEmail, releaseSignInAttempt, reserveSignInAttempt } from '../auth/sign-in-throttle';

/**
 * What may POST to next-auth, and how. next-auth routes on the first two path segments
 * only and accepts JSON as well as forms, so anything but these exact paths and body types
 * is refused before it runs: no alternative way reaches the password check unthrottled.
 */
const postRoutes: Record<string, 'form' | 'json'> = {
  'callback/credentials': 'form',
  signout: 'form',
  session: 'json', // useSession().update() sends JSON
  // Not `_log`: it would let anyone write to the server's log.
};

// Sign-in forms are tiny; nothing here needs more, and the routes are open to anyone.
const maxAuthBodyBytes = 8 * 1024;

type NextAuthHandler = (request: NextRequest) => Promise<Response>;

export async function gateAuthPost(request: Request, segments: string[], nextAuth: NextAuthHandler): Promise<Response> {
  try {
    const path = segments.join('/');
    const bodyType = postRoutes[path];
    if (!bodyType) throw new AppError('not_found', 'No such sign-in endpoint', 'Sign in through the form at /login.');
    assertBodyType(request, bodyType);
    const body = await readBodyCapped(request, maxAuthBodyBytes);
    const forwarded = new NextRequest(request.url, { method: 'POST', headers: request.headers, body: new Uint8Array(body) });
    if (path !== 'callback/credentials') return await nextAuth(forwarded);
    return await throttledSignIn(request, body, () => nextAuth(forwarded));
  } catch (error) {
    return errorResponse(toAppError(error));
  }
}

function assertBodyType(request: Request, bodyType: 'form' | 'json'): void {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const wanted = bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  if (type !== wanted) {
    throw new AppError('validation', `This endpoint takes ${wanted}, not ${type || 'a body without a type'}`, 'Sign in through the form at /login.');
  }
}

async function throttledSignIn(request: Request, body: Buffer, signIn: () => Promise<Response>): Promise<Response> {
  const form = new URLSearchParams(body.toString('utf8'));
  // next-auth keeps the last of repeated keys, a form reader the first: refuse the ambiguity.
  if (form.getAll('email').length > 1 || form.getAll('password').length > 1) {
    throw new AppError('validation', 'The sign-in form repeats a field', 'Send email and password once each.');
  }
  const email = normalizeEmail(form.get('email') ?? '');
  const client = clientAddress(request.headers, webEnv().TRUSTED_PROXY_HOPS);
  const db = getDb();
  const reservation = await reserveSignInAttempt(db, { email, client });
  if (reservation.attemptId === undefined) return throttled(request, reservation.retryAfter);

  const context: SignInAttemptContext = { attemptId: reservation.attemptId, email, client };
  const response = await signInContext.run(context, signIn);
  // A stale form token stops next-auth before the password check: that costs no attempt.
  if (!context.settled) await releaseSignInAttempt(db, context.attemptId);
  return (await isCsrfRefusal(response)) ? staleForm() : response;
}

/** next-auth answers a CSRF mismatch with 200 and a URL ending in `csrf=true`. */
async function isCsrfRefusal(response: Response): Promise<boolean> {
  if (response.status !== 200 || !response.headers.get('content-type')?.includes('json')) return false;
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { url?: string } | null;
  return typeof body?.url === 'string' && /[?&]csrf=true\b/.test(body.url);
}

function staleForm(): Response {
  return errorResponse(new AppError('forbidden', 'The sign-in form had expired', 'Sign in again; the page fetches a fresh form token each time.'));
}

function throttled(request: Request, retryAfter: number): Response {
  const message = `Too many failed sign-in attempts. Try again in ${formatWait(retryAfter)}.`;
  const url = new URL('/login', request.url);
  url.searchParams.set('error', message);
  // `url` keeps next-auth's `{ url }` answer shape for clients that read it.
  return Response.json(
    {
      url: url.toString(),
      error: { code: 'rate_limited', message, hint: 'Wait, then sign in with the right password; ask an admin to reset it if you have lost it.' },
    },
    { status: 429, headers: { 'retry-after': String(retryAfter), 'cache-control': 'no-store' } },
  );
}

function formatWait(seconds: number): string {
  return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}
