import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { guardFormulaSql } from './csv-guard';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidLiteral(value: string): string {
  // COPY takes no bind parameters; ids are inlined only after this strict check.
  if (!uuidPattern.test(value)) throw new Error(`not a UUID: ${JSON.stringify(value)}`);
  return `'${value.toLowerCase()}'::uuid`;
}

/**
 * The SQL that writes events.csv. Postgres does the CSV encoding (RFC 4180, LF), the
 * RFC 3339 formatting and the formula guard: one pass, no per-row JavaScript, which is
 * what keeps a million-row export close to a bare COPY.
 */
export function eventsCopySql(scope: { tenantId: string; environmentId: string; userId: string }): string {
  return `copy (${eventsSelectSql(scope)}) to stdout with (format csv, header true)`;
}

/** The query inside the COPY (also what a test EXPLAINs). */
export function eventsSelectSql(scope: { tenantId: string; environmentId: string; userId: string }): string {
  return `
    select e.id as event_id,
      ${guardFormulaSql('e.type')} as type,
      to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at,
      ${guardFormulaSql('e.properties')} as properties
    from (
      select id, type, occurred_at, properties::text as properties from events
      where tenant_id = ${uuidLiteral(scope.tenantId)}
        and environment_id = ${uuidLiteral(scope.environmentId)}
        and user_id = ${uuidLiteral(scope.userId)}
    ) e
    order by e.occurred_at, e.id`;
}

/**
 * Session settings for the COPY's client, and how to undo them before it goes back to the
 * pool. With sorting priced out, Postgres reads the user's events through
 * events_user_time_idx, already in export order, and sends the first row at once. Left to
 * itself it seq-scans and sorts a user who holds much of the table (10M events: over 30 s
 * before the first row), and an attempt that sends nothing that long is taken for stalled.
 */
export const streamOrderSettings = { apply: 'set enable_sort = off', reset: 'reset enable_sort' } as const;

/** Streams events.csv out of Postgres on a dedicated client. */
export function streamEventsCsv(client: PoolClient, scope: { tenantId: string; environmentId: string; userId: string }): Readable {
  return client.query(copyTo(eventsCopySql(scope)));
}
