import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/auth-options';

type Handler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

// Options are built per request (cheap) so the build never reads runtime secrets.
const handler: Handler = (request, context) => NextAuth(authOptions())(request, context);

export { handler as GET, handler as POST };
