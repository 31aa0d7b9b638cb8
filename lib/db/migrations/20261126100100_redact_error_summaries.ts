import { type Kysely, sql } from 'kysely';

/**
 * Failed exports recorded before summaries became fixed sentences carry the raw failure
 * text ("…: connect ECONNREFUSED 127.0.0.1:42651"), which every admin of the tenant can
 * read (review L3). Rewrite them to the sentence of their category. The sentences are
 * copied, not imported: a migration must keep meaning what it meant when it ran. There
 * is no way back: `down` leaves the redacted text.
 */
const storage =
  'The export failed after 3 attempts because file storage was unreachable. Request it again in a few minutes; if it keeps failing, contact your operator.';
const database =
  'The export failed after 3 attempts because the database was unreachable. Request it again in a few minutes; if it keeps failing, contact your operator.';
const unexpected = 'The export failed because of an unexpected error. Request it again; if it keeps failing, contact your operator.';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update exports set error_summary = case
        when error_summary like '%Storage (S3) failed or is unreachable%' then ${storage}
        when error_summary like '%The database is unreachable%' then ${database}
        else ${unexpected}
      end
    where status = 'failed'
      and (error_summary like 'The export failed after % attempts: %' or error_summary like 'The export failed: %')`.execute(db);
}

export async function down(): Promise<void> {}
