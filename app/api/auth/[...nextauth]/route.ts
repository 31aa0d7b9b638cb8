import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/auth-options';
import { clientAddress, signInRetryAfter } from '@/lib/auth/sign-in-throttle';
import { getDb } from '@/lib/db/web-db';
import { toAppError } from '@/lib/http/error-response';

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built per request (cheap) so the build never reads runtime secrets.
const nextAuth = (request: Request, context: Context) => NextAuth(authOptions())(request, context);

export const GET = nextAuth;

/**
 * Sign-in attempts are throttled before next-auth sees them: 429 with Retry-After. The body
 * keeps next-auth's `{ url }` shape so its client's signIn() reports the message as the error.
 */
export async function POST(request: Request, context: Context): Promise<Response> {
  const { nextauth } = await context.params;
  if (nextauth.join('/') === 'callback/credentials') {
    const form = await request.clone().formData().catch(() => null);
    const email = String(form?.get('email') ?? '').slice(0, 320);
    let retryAfter: number | null;
    try {
      retryAfter = await signInRetryAfter(getDb(), { email, client: clientAddress(request.headers) });
    } catch (error) {
      const appError = toAppError(error);
      return Response.json(
        { url: loginErrorUrl(request, `${appError.message}. ${appError.hint}`), error: appError.toBody().error },
        { status: appError.status },
      );
    }
    if (retryAfter !== null) {
      const message = `Too many failed sign-in attempts. Try again in ${formatWait(retryAfter)}.`;
      return Response.json(
        {
          url: loginErrorUrl(request, message),
          error: { code: 'rate_limited', message, hint: 'Wait, then sign in with the right password; ask an admin to reset it if you have lost it.' },
        },
        { status: 429, headers: { 'retry-after': String(retryAfter), 'cache-control': 'no-store' } },
      );
    }
  }
  return nextAuth(request, context);
}

function loginErrorUrl(request: Request, message: string): string {
  const url = new URL('/login', request.url);
  url.searchParams.set('error', message);
  return url.toString();
}

function formatWait(seconds: number): string {
  return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}
