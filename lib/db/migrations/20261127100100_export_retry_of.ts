import { type Kysely, sql } from 'kysely';

/**
 * "Export again" (issue 11 §3): a new export may name the failed, cancelled or expired one
 * it repeats. Set null if the original is ever deleted: the new export stands on its own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('exports')
    .addColumn('retry_of', 'uuid', (c) => c.references('exports.id').onDelete('set null'))
    .execute();
  // The original row's "Exported again →" link looks up exports naming it.
  await sql`create index exports_retry_of_idx on exports (retry_of) where retry_of is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('exports').dropColumn('retry_of').execute();
}
