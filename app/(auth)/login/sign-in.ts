/**
 * Sign-in without next-auth's client `signIn()`, which reports a refused form token as
 * success. Each attempt fetches its own form token; the server answers a stale one with
 * 403, which is retried once with a fresh token. Success is confirmed by reading the
 * session back, so a sign-in can never end in a silent return to /login.
 * Returns null on success, else the message to show.
 */
export async function signInWithPassword(email: string, password: string): Promise<string | null> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    const csrf = await getJson<{ csrfToken?: string }>('/api/auth/csrf');
    if (!csrf?.csrfToken) return 'Sign-in is unavailable right now. Try again in a moment.';
    const response = await fetch('/api/auth/callback/credentials', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password, csrfToken: csrf.csrfToken, json: 'true' }),
    }).catch(() => null);
    if (!response) return 'The server could not be reached. Check your connection and try again.';
    if (response.status === 403 && attempt === 1) continue;
    if (response.status === 401) return 'Wrong email or password.';
    const body = (await response.json().catch(() => null)) as { url?: string; error?: { message?: string } } | null;
    if (!response.ok) return body?.error?.message ?? `Sign-in failed (HTTP ${response.status}). Try again.`;
    const session = await getJson<{ admin?: unknown }>('/api/auth/session');
    if (session?.admin) return null;
    return 'Sign-in did not complete: the browser kept no session. Allow cookies for this site, then try again.';
  }
  return 'The sign-in form kept expiring. Reload the page and try again.';
}

async function getJson<T>(path: string): Promise<T | null> {
  const response = await fetch(path, { cache: 'no-store' }).catch(() => null);
  return response?.ok ? ((await response.json().catch(() => null)) as T | null) : null;
}
