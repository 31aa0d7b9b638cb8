import { type EventsQuery, rfc3339Sql, userEventsSql } from '../events-copy';
import { type ExportFormat, RecordTally } from './export-format';

/**
 * Each line one JSON object, keys in the CSV columns' order, built by Postgres with
 * to_json (which escapes every control character, so a line end only ever ends a record).
 * `properties` is the event's JSON object itself, not a string.
 */
export function eventsJsonlSelectSql(query: EventsQuery): string {
  return `
    select '{"event_id":' || to_json(e.id)::text
      || ',"type":' || to_json(e.type)::text
      || ',"occurred_at":"' || ${rfc3339Sql('e.occurred_at')}
      || '","properties":' || e.properties || '}'
    from (${userEventsSql(query)}
    ) e
    order by e.occurred_at, e.id`;
}

/**
 * COPY's text format would double every backslash of the JSON; CSV format with a quote and
 * delimiter that JSON never holds raw (control characters are always escaped) writes each
 * line exactly as built, at the same speed.
 */
function eventsJsonlCopySql(query: EventsQuery): string {
  return `copy (${eventsJsonlSelectSql(query)}) to stdout with (format csv, header false, quote e'\\x01', delimiter e'\\x02')`;
}

const newline = 0x0a;

/** One record per line end. */
class LineTally extends RecordTally {
  private lines = 0;

  get rows(): number {
    return this.lines;
  }

  protected count(chunk: Buffer): void {
    for (let i = chunk.indexOf(newline); i !== -1; i = chunk.indexOf(newline, i + 1)) this.lines++;
  }
}

/** JSON Lines: no header, no formula guard (no spreadsheet runs JSON), RFC 3339 times, null for "never". */
export const jsonlFormat: ExportFormat = {
  name: 'jsonl',
  extension: 'jsonl',
  contentType: 'application/jsonl',
  eventsCopySql: eventsJsonlCopySql,
  eventsPrefix: Buffer.alloc(0),
  profile: (user) =>
    Buffer.from(
      `${JSON.stringify({
        user_id: user.id,
        email: user.email,
        name: user.name,
        created_at: user.created_at.toISOString(),
        last_login_at: user.last_login_at?.toISOString() ?? null,
      })}\n`,
      'utf8',
    ),
  createEventsTally: () => new LineTally(),
  manifest: { mediaType: 'application/jsonl' },
};
