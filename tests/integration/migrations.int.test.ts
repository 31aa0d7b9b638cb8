import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationProvider } from '../../lib/db/migrations';
import { migrateAllDown, migrateToLatest } from '../../lib/db/migrator';
import { seedDemoData } from '../../lib/db/seed';
import { createScratchDatabase } from '../support/scratch-database';

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;

async function tableNames(): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(scratch.db);
  return rows.map((r) => r.table_name);
}

beforeAll(async () => {
  scratch = await createScratchDatabase();
});
afterAll(async () => {
  await scratch?.drop();
});

describe('migrations on real Postgres', () => {
  it('go up, down to nothing, and up again', async () => {
    const applied = await migrateToLatest(scratch.db);
    expect(applied.length).toBeGreaterThanOrEqual(3);
    expect(await tableNames()).toEqual([
      'admins',
      'audit_log',
      'bulk_export_users',
      'bulk_exports',
      'environments',
      'events',
      'export_idempotency_keys',
      'exports',
      'sign_in_attempts',
      'tenants',
      'user_event_counts',
      'users',
    ]);

    const reverted = await migrateAllDown(scratch.db);
    expect(reverted).toEqual([...applied].reverse());
    expect(await tableNames()).toEqual([]);

    expect(await migrateToLatest(scratch.db)).toEqual(applied);
    expect(await migrateToLatest(scratch.db)).toEqual([]);
  });

  it('index the export stream and the history list', async () => {
    const { rows } = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes where schemaname = 'public'`.execute(scratch.db);
    const byName = new Map(rows.map((r) => [r.indexname, r.indexdef]));
    expect(byName.get('events_user_time_idx')).toMatch(/\(tenant_id, environment_id, user_id, occurred_at, id\)/);
    expect(byName.get('exports_history_idx')).toMatch(/created_at DESC, id DESC/);
    expect(byName.get('exports_one_in_flight_per_user')).toMatch(/WHERE .*queued.*running/);
    // One in flight per user and options (issue 12): another format or range is another export.
    expect(byName.get('exports_one_in_flight_per_user')).toMatch(/\(tenant_id, environment_id, user_id, format, COALESCE\(range_from, .*COALESCE\(range_to/);
  });

  it('exports carry their options: csv and no range for rows from before, and a range must run forwards', async () => {
    const { rows } = await sql<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>`
      select column_name, data_type, is_nullable, column_default from information_schema.columns
      where table_name = 'exports' and column_name in ('format', 'range_from', 'range_to') order by column_name`.execute(scratch.db);
    expect(rows).toEqual([
      { column_name: 'format', data_type: 'text', is_nullable: 'NO', column_default: "'csv'::text" },
      { column_name: 'range_from', data_type: 'timestamp with time zone', is_nullable: 'YES', column_default: null },
      { column_name: 'range_to', data_type: 'timestamp with time zone', is_nullable: 'YES', column_default: null },
    ]);
    const { rows: checks } = await sql<{
      def: string;
    }>`select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'exports_range_order'`.execute(scratch.db);
    expect(checks[0]?.def).toMatch(/range_from < range_to/);
  });

  it("index the audit log's filters, each led by the tenant and in the page's order", async () => {
    const { rows } = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = 'audit_log'`.execute(scratch.db);
    const byName = new Map(rows.map((r) => [r.indexname, r.indexdef]));
    expect(byName.get('audit_log_tenant_time_idx')).toMatch(/\(tenant_id, created_at DESC, id DESC\)/);
    expect(byName.get('audit_log_tenant_action_time_idx')).toMatch(/\(tenant_id, action, created_at DESC, id DESC\)/);
    expect(byName.get('audit_log_tenant_admin_time_idx')).toMatch(/\(tenant_id, admin_id, created_at DESC, id DESC\)/);
    expect(byName.get('audit_log_export_idx')).toMatch(/\(export_id\) WHERE \(export_id IS NOT NULL\)/);
  });

  it('audit rows have room for the client address and user agent (nullable: older rows have neither)', async () => {
    const { rows } = await sql<{ column_name: string; data_type: string; is_nullable: string }>`
      select column_name, data_type, is_nullable from information_schema.columns
      where table_name = 'audit_log' and column_name in ('client_address', 'user_agent') order by column_name`.execute(scratch.db);
    expect(rows).toEqual([
      { column_name: 'client_address', data_type: 'text', is_nullable: 'YES' },
      { column_name: 'user_agent', data_type: 'text', is_nullable: 'YES' },
    ]);
  });

  it('admins can turn export mail off (on by default); exports record a mail that was not sent (nullable)', async () => {
    const { rows } = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>`
      select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
      where (table_name, column_name) in (('admins', 'notify_on_export'), ('exports', 'notification_error')) order by table_name`.execute(scratch.db);
    expect(rows).toEqual([
      { table_name: 'admins', column_name: 'notify_on_export', data_type: 'boolean', is_nullable: 'NO', column_default: 'true' },
      { table_name: 'exports', column_name: 'notification_error', data_type: 'text', is_nullable: 'YES', column_default: null },
    ]);
  });

  it('the demo seed is idempotent', async () => {
    const first = await seedDemoData(scratch.db);
    const counts = async () =>
      sql<{ users: number; events: number; admins: number }>`
        select (select count(*)::int from users) as users, (select count(*)::int from events) as events,
               (select count(*)::int from admins) as admins`.execute(scratch.db);
    const before = (await counts()).rows[0];
    const second = await seedDemoData(scratch.db);
    const after = (await counts()).rows[0];
    expect(first.eventsInserted).toBeGreaterThan(300_000);
    expect(second.eventsInserted).toBe(0);
    expect(after).toEqual(before);
    expect(before?.admins).toBe(3);
  });

  it('refuse a user whose environment belongs to another tenant', async () => {
    const envs = await scratch.db
      .selectFrom('environments')
      .innerJoin('tenants', 'tenants.id', 'environments.tenant_id')
      .select(['environments.id', 'tenants.slug', 'environments.tenant_id'])
      .execute();
    const acme = envs.find((e) => e.slug === 'acme')!;
    const globexEnv = envs.find((e) => e.slug === 'globex')!;
    await expect(
      scratch.db.insertInto('users').values({ tenant_id: acme.tenant_id, environment_id: globexEnv.id, email: 'x@y.z', name: 'X' }).execute(),
    ).rejects.toThrow(/users_environment_fkey/);
  });

  it('user_event_counts is backfilled from the events already there, and kept by the triggers', async () => {
    await seedDemoData(scratch.db);
    const migrator = new Migrator({ db: scratch.db, provider: migrationProvider });
    // Down past the counter migration, then up: the backfill runs over the seeded events.
    const down = await migrator.migrateTo('20261126120100_export_idempotency_keys');
    expect(down.results?.map((r) => r.migrationName)).toContain('20261126120200_user_event_counts');
    expect(await migrateToLatest(scratch.db)).toEqual(down.results?.map((r) => r.migrationName).reverse());
    const mismatched = async () =>
      (
        await sql<{ n: number }>`
        select count(*)::int as n from (
          select tenant_id, environment_id, user_id, count(*) as real from events group by 1, 2, 3
        ) e
        full join user_event_counts c using (tenant_id, environment_id, user_id)
        where coalesce(e.real, 0) <> coalesce(c.event_count, 0)`.execute(scratch.db)
      ).rows[0]!.n;
    expect(await mismatched()).toBe(0);
    await sql`delete from events where id in (select id from events order by id limit 1000)`.execute(scratch.db);
    expect(await mismatched()).toBe(0);
  });
});
