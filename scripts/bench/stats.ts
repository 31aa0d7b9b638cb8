/** Small statistics over repeated measurements: medians and spread, never means alone. */

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  p95: number;
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Linear interpolation between closest ranks (the R-7 / NumPy default).
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarize(values: number[]): Summary {
  return {
    n: values.length,
    median: quantile(values, 0.5),
    min: Math.min(...values),
    max: Math.max(...values),
    p95: quantile(values, 0.95),
  };
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Decimal megabytes (10^6 bytes), as in SPEC §9 ("215 MB of CSV", "300 MB"). */
export const mb = (bytes: number) => bytes / 1_000_000;

/** "1.2 M", "10 k" */
export function compactCount(n: number): string {
  if (n >= 1_000_000) return `${round(n / 1_000_000, 2)}M`;
  if (n >= 1_000) return `${round(n / 1_000, 1)}k`;
  return String(n);
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** 116k rows/s, 950 rows/s */
export const fmtRate = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000).toLocaleString('en')}k` : Math.round(n).toLocaleString('en'));
