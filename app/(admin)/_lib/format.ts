/**
 * Display formats. Fixed to en-US so what a person reads and what the end-to-end tests
 * assert ("300,000") do not depend on the browser's locale.
 */
const integer = new Intl.NumberFormat('en-US');
const dateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

export function formatCount(value: number): string {
  return integer.format(value);
}

export function formatDateTime(iso: string | null): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

const relative = new Intl.RelativeTimeFormat('en-US', { numeric: 'always' });
const relativeUnits: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

/**
 * "in 6 days" for a time ahead of `now`, in the largest whole unit, rounded down: an export
 * kept 7 days reads "in 6 days" a moment after it completed, and never promises more time
 * than is left. A time already past reads "in 0 seconds".
 */
export function formatTimeUntil(iso: string, now: number = Date.now()): string {
  const ms = Math.max(0, Date.parse(iso) - now);
  for (const [unit, size] of relativeUnits) {
    if (ms >= size || unit === 'second') return relative.format(Math.floor(ms / size), unit);
  }
  return relative.format(0, 'second');
}

const units = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1,536 → "1.5 KB" (powers of 1024, one decimal above bytes). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

// Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
const browsers: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/(?:Chrome|Chromium|CriOS)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[^ ]* .*Safari\//, 'Safari'],
];
const systems: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux|X11/, 'Linux'],
];

/** "Chrome 131 on Linux" for a browser; other clients ("curl/8.5.0") as their first word. */
export function shortUserAgent(userAgent: string | null): string {
  if (!userAgent) return '—';
  for (const [pattern, name] of browsers) {
    const match = pattern.exec(userAgent);
    if (!match) continue;
    const system = systems.find(([p]) => p.test(userAgent))?.[1];
    return `${name} ${match[1]}${system ? ` on ${system}` : ''}`;
  }
  return userAgent.split(' ')[0]!.slice(0, 40);
}
