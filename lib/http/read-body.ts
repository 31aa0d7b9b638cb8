import { AppError } from '../errors';

/**
 * Reads a request body, counting bytes as they arrive and stopping past `maxBytes`: a
 * chunked body with no Content-Length is refused after the cap, never buffered whole.
 */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw bodyTooLarge(maxBytes);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function bodyTooLarge(maxBytes: number): AppError {
  const size = maxBytes >= 1024 ? `${maxBytes / 1024} KiB` : `${maxBytes} bytes`;
  return new AppError('payload_too_large', `The request body is larger than ${size}`, 'These endpoints take small bodies; send only the documented fields.');
}
