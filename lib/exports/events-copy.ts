import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';

/** Whose events an export reads: one user, scoped, optionally bounded to [from, to) on occurred_at. */
export interface EventsQuery {
  tenantId: string;
  environmentId: string;
  userId: string;
  /** RFC 3339; inclusive. */
  from?: string | null;
  /** RFC 3339; exclusive. */
  to?: string | null;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidLiteral(value: string): string {
  // COPY takes no bind parameters; values are inlined only after a strict check.
  if (!uuidPattern.test(value)) throw new Error(`not a UUID: ${JSON.stringify(value)}`);
  return `'${value.toLowerCase()}'::uuid`;
}

function timestampLiteral(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new Error(`not a timestamp: ${JSON.stringify(value)}`);
  // Re-printed by Date, so only digits, dashes, colons, a dot, T and Z reach the SQL.
  return `'${time.toISOString()}'::timestamptz`;
}

/**
 * The user's events, scoped and ranged, in export order (occurred_at, id), with
 * `properties` as text. Formats select their columns from it; events_user_time_idx serves
 * the filter, the range and the order.
 */
export function userEventsSql(query: EventsQuery): string {
  return `
    select id, type, occurred_at, properties::text as properties from events
    where tenant_id = ${uuidLiteral(query.tenantId)}
      and environment_id = ${uuidLiteral(query.environmentId)}
      and user_id = ${uuidLiteral(query.userId)}${
        query.from
          ? `
      and occurred_at >= ${timestampLiteral(query.from)}`
          : ''
      }${
        query.to
          ? `
      and occurred_at < ${timestampLiteral(query.to)}`
          : ''
      }`;
}

/** RFC 3339 UTC with milliseconds and Z, as every format writes times. */
export function rfc3339Sql(expression: string): string {
  return `to_char(${expression} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * Session settings for the COPY's client, and how to undo them before it goes back to the
 * pool. With sorting priced out, Postgres reads the user's events through
 * events_user_time_idx, already in export order, and sends the first row at once. Left to
 * itself it seq-scans and sorts a user who holds much of the table (10M events: over 30 s
 * before the first row), and an attempt that sends nothing that long is taken for stalled.
 */
export const streamOrderSettings = { apply: 'set enable_sort = off', reset: 'reset enable_sort' } as const;

/** Runs a COPY … TO STDOUT on a dedicated client and streams its bytes. */
export function streamCopy(client: PoolClient, copySql: string): Readable {
  return client.query(copyTo(copySql));
}
