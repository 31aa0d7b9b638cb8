import { AppError } from '../errors';

/**
 * Refuses cross-site state changes (CSRF). Browsers send Origin on every POST, and
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
  return new AppError('forbidden', 'Cross-site request refused', 'State-changing requests must come from the Export Console pages themselves.');
}

export const maxBodyBytes = 16 * 1024;

/** Reads a JSON body of at most 16 KiB. An empty body is `undefined`. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBodyBytes) throw tooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text) > maxBodyBytes) throw tooLarge();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('validation', 'The request body is not valid JSON', 'Send a JSON object with Content-Type: application/json, or no body at all.');
  }
}

function tooLarge(): AppError {
  return new AppError('payload_too_large', `The request body is larger than ${maxBodyBytes / 1024} KiB`, 'These endpoints take small JSON objects; send only the documented fields.');
}
