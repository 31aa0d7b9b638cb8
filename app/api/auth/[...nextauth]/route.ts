import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { authOptions } from '@/lib/auth/auth-options';
import { gateAuthPost } from '@/lib/http/credentials-gate';

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built per request (cheap) so the build never reads runtime secrets.
const nextAuth = (request: Request, context: Context) => NextAuth(authOptions())(request, context);

export const GET = nextAuth;

/** Only known paths and body types reach next-auth; sign-in is throttled on the way (credentials-gate.ts). */
export async function POST(request: NextRequest, context: Context): Promise<Response> {
  const { nextauth } = await context.params;
  return gateAuthPost(request, nextauth, (forwarded) => nextAuth(forwarded, context));
}
