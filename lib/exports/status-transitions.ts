/**
 * The guard both lifecycles (export-lifecycle.ts, bulk/bulk-export-lifecycle.ts) write
 * statuses through: from a table of which status may move to which, the statuses a row
 * must be in for a write of `to` to apply.
 */
export function statusTransitions<S extends string>(table: Record<S, readonly S[]>) {
  const canTransition = (from: S, to: S): boolean => table[from].includes(to);
  const statusesLeadingTo = (to: S): S[] => (Object.keys(table) as S[]).filter((from) => canTransition(from, to));
  return { canTransition, statusesLeadingTo };
}
