/**
 * Where to go after sign-in: only a path of this app. The URL parser decides, not a prefix
 * check: browsers read `/\evil.com` and `/<TAB>/evil.com` as other hosts, and so does it.
 */
const appPages = /^\/(users|exports|audit)(\/|$)/;
const base = 'http://export-console.invalid';

export function safeReturnPath(raw: string | null | undefined, fallback = '/users'): string {
  if (!raw?.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base || !appPages.test(url.pathname)) return fallback;
  url.searchParams.delete('_rsc');
  return url.pathname + url.search + url.hash;
}
