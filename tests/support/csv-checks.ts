/**
 * Byte-level checks of exported CSV files that a parser would hide: the BOM, invalid UTF-8,
 * and line ends. RFC 4180 quoting toggles on every `"` (an escaped `""` toggles twice), so
 * "outside quotes" is exact with one flag.
 */

export function hasUtf8Bom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Decodes strictly: throws on any invalid UTF-8 sequence. */
export function decodeUtf8Strict(bytes: Buffer): string {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}

/** Offsets of carriage returns outside quoted cells (each one is a CRLF or bare-CR line end). */
export function carriageReturnsOutsideQuotes(text: string): number[] {
  const found: number[] = [];
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === '\r' && !inQuotes) found.push(i);
  }
  return found;
}

/** Record count: line feeds outside quoted cells. */
export function recordEnds(text: string): number {
  let n = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === '\n' && !inQuotes) n++;
  }
  return n;
}

/** RFC 3339 UTC with exactly millisecond precision and `Z`. */
export const rfc3339Millis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** `2026-01-02 03:04:05.678901` (to_char … US) → `2026-01-02T03:04:05.678Z`: truncated, as to_char MS and Date do. */
export function microsToRfc3339Millis(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})\.(\d{6})$/.exec(text);
  if (!match) throw new Error(`not a microsecond timestamp: ${text}`);
  return `${match[1]}T${match[2]}.${match[3]!.slice(0, 3)}Z`;
}
