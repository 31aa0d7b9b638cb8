import { describe, expect, it } from 'vitest';
import { exportStatuses, type ExportStatusValue } from '../../lib/exports/export.contracts';
import { canTransition, exportTransitions, statusesLeadingTo } from '../../lib/exports/export-lifecycle';

/** The state machine, written out edge by edge so a change to the table must change this list too. */
const allowed: [ExportStatusValue, ExportStatusValue][] = [
  ['queued', 'running'],
  ['queued', 'failed'],
  ['queued', 'cancelled'],
  ['running', 'running'],
  ['running', 'completed'],
  ['running', 'failed'],
  ['running', 'cancelled'],
  // Retention: the sweep deleted the file of a completed export.
  ['completed', 'expired'],
];

const everyEdge = exportStatuses.flatMap((from) => exportStatuses.map((to) => [from, to] as [ExportStatusValue, ExportStatusValue]));
const isAllowed = (from: ExportStatusValue, to: ExportStatusValue) => allowed.some(([f, t]) => f === from && t === to);

describe('export lifecycle', () => {
  it('has a row for every status', () => {
    expect(Object.keys(exportTransitions).sort()).toEqual([...exportStatuses].sort());
  });

  it.each(everyEdge.filter(([from, to]) => isAllowed(from, to)))('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(statusesLeadingTo(to)).toContain(from);
  });

  it.each(everyEdge.filter(([from, to]) => !isAllowed(from, to)))('forbids %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(statusesLeadingTo(to)).not.toContain(from);
  });

  it('never moves an export out of an ending (a completed one only expires), nor back to queued', () => {
    for (const ended of ['failed', 'cancelled', 'expired'] as const) expect(exportTransitions[ended]).toEqual([]);
    expect(exportTransitions.completed).toEqual(['expired']);
    expect(statusesLeadingTo('queued')).toEqual([]);
  });

  it('expires only completed exports', () => {
    expect(statusesLeadingTo('expired')).toEqual(['completed']);
  });
});
