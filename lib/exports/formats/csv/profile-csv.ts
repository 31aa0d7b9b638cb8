import { stringify } from 'csv-stringify/sync';
import type { ProfileRow } from '../export-format';
import { guardFormula } from './csv-guard';

/** profile.csv: header and one row, quoted like PostgreSQL's COPY CSV (LF, quotes when needed). */
export function profileCsv(user: ProfileRow): string {
  return stringify([[user.id, guardFormula(user.email), guardFormula(user.name), user.created_at.toISOString(), user.last_login_at?.toISOString() ?? '']], {
    header: true,
    columns: ['user_id', 'email', 'name', 'created_at', 'last_login_at'],
    record_delimiter: 'unix',
    // csv-stringify quotes LF but not a lone CR; PostgreSQL's COPY quotes both.
    quoted_match: /\r/,
  });
}
