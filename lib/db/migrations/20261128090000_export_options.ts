import { type Kysely, sql } from 'kysely';

/**
 * Options of one export (issue 12 §2): its format and an optional half-open range on the
 * events' occurred_at. Rows from before are csv exports of everything, which the defaults
 * say. The format is not checked against a list here: formats are code (formats/index.ts),
 * and a new one should not need a migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('exports')
    .addColumn('format', 'text', (c) => c.notNull().defaultTo('csv'))
    .addColumn('range_from', 'timestamptz')
    .addColumn('range_to', 'timestamptz')
    .execute();
  await sql`alter table exports add constraint exports_range_order check (range_from is null or range_to is null or range_from < range_to)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('exports').dropConstraint('exports_range_order').execute();
  await db.schema.alterTable('exports').dropColumn('range_to').dropColumn('range_from').dropColumn('format').execute();
}
