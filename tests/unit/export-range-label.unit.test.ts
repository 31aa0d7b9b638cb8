import { describe, expect, it } from 'vitest';
import { describeRange } from '../../app/(admin)/exports/_components/export-options-summary';

describe("the history's range label", () => {
  it.each([
    [null, 'All events'],
    [{ from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' }, 'Events 2026-01-01 – 2026-01-31 (UTC)'],
    [{ from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' }, 'Events 2026-01-01 – 2026-01-01 (UTC)'],
    [{ from: '2026-01-01T00:00:00.000Z', to: null }, 'Events from 2026-01-01 (UTC)'],
    [{ from: null, to: '2026-03-01T00:00:00.000Z' }, 'Events through 2026-02-28 (UTC)'],
    [{ from: '2026-01-01T10:30:00.000Z', to: '2026-01-01T12:00:00.500Z' }, 'Events 2026-01-01 10:30 – before 2026-01-01 12:00:00.500Z (UTC)'],
  ])('%j → %s', (range, label) => {
    expect(describeRange(range)).toBe(label);
  });
});
