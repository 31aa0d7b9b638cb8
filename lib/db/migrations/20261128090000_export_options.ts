import { type Kysely, sql } from 'kysely';

/**
 * Options of one export (issue 12 §2): its format and an optional half-open range on the
 * events' occurred_at. Rows from before are csv exports of everything, which the defaults
 * say. The format is not checked against a list here: formats are code (formats/index.ts),
 * and a new one should not need a migration.
 *
 * The one-in-flight rule becomes one in flight per user and options: the same user with
 * another format or range is another export (dedupe compares the options too).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('exports')
    .addColumn('format', 'text', (c) => c.notNull().defaultTo('csv'))
    .addColumn('range_from', 'timestamptz')
    .addColumn('range_to', 'timestamptz')
    .execute();
  await sql`alter table exports add constraint exports_range_order check (range_from is null or range_to is null or range_from < range_to)`.execute(db);
  await sql`drop index exports_one_in_flight_per_user`.execute(db);
  // Open bounds as ±infinity: a unique index treats nulls as distinct, which would let two
  // identical unbounded exports through.
  await sql`create unique index exports_one_in_flight_per_user
    on exports (tenant_id, environment_id, user_id, format, coalesce(range_from, '-infinity'::timestamptz), coalesce(range_to, 'infinity'::timestamptz))
    where status in ('queued', 'running')`.execute(db);
}

/** Fails while one user has two exports in flight (other options): wait for them to end first. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index exports_one_in_flight_per_user`.execute(db);
  await sql`create unique index exports_one_in_flight_per_user
    on exports (tenant_id, environment_id, user_id)
    where status in ('queued', 'running')`.execute(db);
  await db.schema.alterTable('exports').dropConstraint('exports_range_order').execute();
  await db.schema.alterTable('exports').dropColumn('range_to').dropColumn('range_from').dropColumn('format').execute();
}
