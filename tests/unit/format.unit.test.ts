import { describe, expect, it } from 'vitest';
import { formatTimeUntil, shortUserAgent } from '../../app/(admin)/_lib/format';

describe('short user agent for the audit page', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome 131 on Linux'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0', 'Edge 130 on Windows'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:132.0) Gecko/20100101 Firefox/132.0', 'Firefox 132 on macOS'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari 17 on iOS',
    ],
    ['curl/8.5.0', 'curl/8.5.0'],
    [null, '—'],
  ])('%s → %s', (userAgent, expected) => {
    expect(shortUserAgent(userAgent)).toBe(expected);
  });
});

describe('time until an export expires', () => {
  const now = Date.parse('2026-11-27T10:00:00.000Z');
  const at = (ms: number) => new Date(now + ms).toISOString();
  it.each([
    // Just completed with the default 7 days: the whole days left, rounded down.
    [7 * 86_400_000 - 1_000, 'in 6 days'],
    [86_400_000, 'in 1 day'],
    [5 * 3_600_000 + 59 * 60_000, 'in 5 hours'],
    [90_000, 'in 1 minute'],
    [4_500, 'in 4 seconds'],
    [-1_000, 'in 0 seconds'],
  ])('%i ms ahead → %s', (ms, expected) => {
    expect(formatTimeUntil(at(ms), now)).toBe(expected);
  });
});
