import { type EventsQuery, rfc3339Sql, userEventsSql } from '../../events-copy';
import { guardFormulaSql } from './csv-guard';

/** The query inside the COPY (also what a test EXPLAINs). */
export function eventsCsvSelectSql(query: EventsQuery): string {
  return `
    select e.id as event_id,
      ${guardFormulaSql('e.type')} as type,
      ${rfc3339Sql('e.occurred_at')} as occurred_at,
      ${guardFormulaSql('e.properties')} as properties
    from (${userEventsSql(query)}
    ) e
    order by e.occurred_at, e.id`;
}

/**
 * The SQL that writes events.csv. Postgres does the CSV encoding (RFC 4180, LF), the
 * RFC 3339 formatting and the formula guard: one pass, no per-row JavaScript, which is
 * what keeps a million-row export close to a bare COPY.
 */
export function eventsCsvCopySql(query: EventsQuery): string {
  return `copy (${eventsCsvSelectSql(query)}) to stdout with (format csv, header true)`;
}
