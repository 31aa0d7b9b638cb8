import { AppError } from '../errors';
import { readBodyCapped } from './read-body';

/**
 * Refuses cross-site state changes (CSRF), and GETs that write (the audited download). Browsers send Origin on every POST, and
 * Sec-Fetch-Site where supported; a request with neither comes from a non-browser
 * client, which cannot ride a victim's cookies.
 */
export function assertSameOrigin(request: Request): void {
  const site = request.headers.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') throw crossSite();
  const origin = request.headers.get('origin');
  if (origin === null) return;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw crossSite();
  }
  if (!host || originHost !== host) throw crossSite();
}

function crossSite(): AppError {
  return new AppError(
    'forbidden',
    'Cross-site request refused',
    'Requests that change or record something must come from the Export Console pages themselves (or a typed URL).',
  );
}

export const maxBodyBytes = 16 * 1024;

/** Reads a JSON body of at most `limit` bytes (16 KiB unless a route says otherwise), counted while reading. An empty body is `undefined`. */
export async function readJsonBody(request: Request, limit = maxBodyBytes): Promise<unknown> {
  const text = (await readBodyCapped(request, limit)).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('validation', 'The request body is not valid JSON', 'Send a JSON object with Content-Type: application/json, or no body at all.');
  }
}
