/** A signed-in HTTP session against the production build, through next-auth's own endpoints. */
export async function signInSession(baseUrl: string, email: string, password: string): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  const cookies = new Map<string, string>();
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const csrfResponse = await fetch(`${baseUrl}/api/auth/csrf`);
  remember(csrfResponse);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const signIn = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader() },
    body: new URLSearchParams({ email, password, csrfToken, json: 'true' }),
  });
  remember(signIn);
  if (![...cookies.keys()].some((k) => k.includes('session-token'))) throw new Error(`sign-in failed (${signIn.status})`);
  return (path, init = {}) =>
    fetch(`${baseUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader(), origin: baseUrl },
      signal: AbortSignal.timeout(30_000),
    });
}
