import { describe, expect, it } from 'vitest';
import { estimateRemainingMs, formatDuration, percentDone, rowsPerSecond } from '../../app/(admin)/_lib/export-timing';

describe('export durations', () => {
  it.each([
    [0, '0 s'],
    [999, '0 s'],
    [4_700, '4 s'],
    [59_999, '59 s'],
    [60_000, '1 min 00 s'],
    [125_000, '2 min 05 s'],
    [3_599_000, '59 min 59 s'],
    [3_780_000, '1 h 03 min'],
    [-5_000, '0 s'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('estimate from rows per second', () => {
  const startedAt = '2026-11-27T10:00:00.000Z';
  const at = (seconds: number) => Date.parse(startedAt) + seconds * 1000;

  it('measures the rate since the start', () => {
    expect(rowsPerSecond({ rowsExported: 50_000, rowsTotal: 300_000 }, startedAt, at(5))).toBe(10_000);
  });

  it('projects the rows left at that rate', () => {
    // 50,000 rows in 5 s: 250,000 left take 25 s.
    expect(estimateRemainingMs({ rowsExported: 50_000, rowsTotal: 300_000 }, startedAt, at(5))).toBe(25_000);
    expect(estimateRemainingMs({ rowsExported: 300_000, rowsTotal: 300_000 }, startedAt, at(30))).toBe(0);
  });

  it('gives no estimate without data', () => {
    expect(estimateRemainingMs({ rowsExported: 0, rowsTotal: 300_000 }, startedAt, at(5))).toBeNull();
    expect(estimateRemainingMs({ rowsExported: 10, rowsTotal: null }, startedAt, at(5))).toBeNull();
    expect(estimateRemainingMs({ rowsExported: 10, rowsTotal: 300_000 }, null, at(5))).toBeNull();
    expect(estimateRemainingMs({ rowsExported: 10, rowsTotal: 300_000 }, startedAt, at(0))).toBeNull();
  });

  it('reports whole percent, never 100 before the end', () => {
    expect(percentDone({ rowsExported: 299_999, rowsTotal: 300_000 })).toBe(99);
    expect(percentDone({ rowsExported: 126_000, rowsTotal: 300_000 })).toBe(42);
    expect(percentDone({ rowsExported: 0, rowsTotal: 0 })).toBe(0);
    expect(percentDone({ rowsExported: 5, rowsTotal: null })).toBeNull();
  });
});
