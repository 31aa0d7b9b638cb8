import { sql, type Kysely } from 'kysely';

/**
 * A maintained per-user event count, so the users list reads one row per user instead of
 * counting each user's events per request (issue 10 §7, review M7).
 *
 * Kept by statement-level triggers with transition tables: a bulk insert or COPY of a
 * million events does one grouped upsert, not a million row updates. Rows are upserted in
 * user-id order so two bulk loads cannot deadlock on each other's counters. Deletes only
 * update (never insert): when a user is deleted, the cascade may remove the counter row
 * before the events' delete trigger runs, and there is nothing left to count then.
 *
 * The backfill runs with events locked against writes (SHARE ROW EXCLUSIVE, in the
 * migration's transaction), so no event lands between the count and the triggers.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_event_counts')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('environment_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('event_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('user_event_counts_pkey', ['tenant_id', 'environment_id', 'user_id'])
    .addForeignKeyConstraint('user_event_counts_user_fkey', ['tenant_id', 'environment_id', 'user_id'], 'users', ['tenant_id', 'environment_id', 'id'], (c) =>
      c.onDelete('cascade'),
    )
    .execute();

  await sql`lock table events in share row exclusive mode`.execute(db);

  await sql`create function user_event_counts_added() returns trigger language plpgsql as $$
    begin
      insert into user_event_counts as c (tenant_id, environment_id, user_id, event_count)
      select tenant_id, environment_id, user_id, count(*) from new_rows
      group by tenant_id, environment_id, user_id
      order by tenant_id, environment_id, user_id
      on conflict (tenant_id, environment_id, user_id) do update set event_count = c.event_count + excluded.event_count;
      return null;
    end $$`.execute(db);
  await sql`create function user_event_counts_removed() returns trigger language plpgsql as $$
    begin
      update user_event_counts c set event_count = c.event_count - d.n
      from (
        select tenant_id, environment_id, user_id, count(*) as n from old_rows
        group by tenant_id, environment_id, user_id
        order by tenant_id, environment_id, user_id
      ) d
      where c.tenant_id = d.tenant_id and c.environment_id = d.environment_id and c.user_id = d.user_id;
      return null;
    end $$`.execute(db);
  await sql`create function user_event_counts_truncated() returns trigger language plpgsql as $$
    begin
      update user_event_counts set event_count = 0 where event_count <> 0;
      return null;
    end $$`.execute(db);

  await sql`create trigger events_count_insert after insert on events
    referencing new table as new_rows for each statement execute function user_event_counts_added()`.execute(db);
  await sql`create trigger events_count_delete after delete on events
    referencing old table as old_rows for each statement execute function user_event_counts_removed()`.execute(db);
  // An update counts as a delete plus an insert, so one moving events between users keeps
  // both counts right. (Postgres allows no column list on a trigger with transition tables.)
  await sql`create trigger events_count_update_old after update on events
    referencing old table as old_rows for each statement execute function user_event_counts_removed()`.execute(db);
  await sql`create trigger events_count_update_new after update on events
    referencing new table as new_rows for each statement execute function user_event_counts_added()`.execute(db);
  await sql`create trigger events_count_truncate after truncate on events
    for each statement execute function user_event_counts_truncated()`.execute(db);

  await sql`insert into user_event_counts (tenant_id, environment_id, user_id, event_count)
    select tenant_id, environment_id, user_id, count(*) from events group by tenant_id, environment_id, user_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['events_count_truncate', 'events_count_update_new', 'events_count_update_old', 'events_count_delete', 'events_count_insert']) {
    await sql`drop trigger ${sql.id(name)} on events`.execute(db);
  }
  for (const name of ['user_event_counts_truncated', 'user_event_counts_removed', 'user_event_counts_added']) {
    await sql`drop function ${sql.id(name)}()`.execute(db);
  }
  await db.schema.dropTable('user_event_counts').execute();
}
