import { redirect } from 'next/navigation';
import { safeReturnPath } from '@/lib/auth/return-path';
import { currentAdmin } from '@/lib/auth/session';
import { LoginForm } from './login-form';

export const metadata = { title: 'Sign in · Export Console' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string | string[] }> }) {
  const { callbackUrl } = await searchParams;
  // Only this app's own pages: an open redirect after sign-in would be a phishing aid.
  const next = safeReturnPath(typeof callbackUrl === 'string' ? callbackUrl : undefined);
  if (await currentAdmin()) redirect(next);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-semibold">Export Console</h1>
        <p className="mt-1 text-sm text-slate-600">Sign in with your admin account.</p>
        <LoginForm next={next} />
      </div>
    </main>
  );
}
