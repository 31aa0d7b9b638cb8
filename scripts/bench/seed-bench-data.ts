import { sql } from 'kysely';
import type { Db } from '../../lib/db/client';
import { demoPassword } from '../../lib/db/demo-data';
import { insertGeneratedEvents } from '../../lib/db/seed-events';
import { hashPassword, verifyPassword } from '../../lib/auth/password';

/**
 * The bench's own data, on top of the demo seed, written idempotently so the 1M-event user
 * is generated once per data dir and reused by every later run:
 * - tenant `bench` (admin bench@bench.test) with one user per throughput size;
 * - in acme production, one small user for the latency runs;
 * - load users spread over acme, globex and bench (a handful of events each).
 * A user whose event count is not exactly the one wanted (a run killed mid-insert) has its
 * events regenerated.
 */

export const benchAdminEmail = 'bench@bench.test';
export const benchTenantSlug = 'bench';
export const loadTenantSlugs = ['acme', 'globex', 'bench'] as const;
export type LoadTenant = (typeof loadTenantSlugs)[number];
export const tenantAdmins: Record<LoadTenant, string> = { acme: 'admin@acme.test', globex: 'admin@globex.test', bench: benchAdminEmail };

export interface Scope {
  tenantId: string;
  environmentId: string;
}

export interface BenchUser extends Scope {
  userId: string;
  email: string;
  events: number;
}

export interface BenchData {
  tenants: Record<LoadTenant, Scope & { adminId: string; adminEmail: string }>;
  sizes: BenchUser[];
  latencyUser: BenchUser;
  loadUsers: (BenchUser & { tenant: LoadTenant })[];
}

const latencyEvents = 100;
export const eventsStartAt = '2024-01-01T00:00:00.000Z';

export async function seedBenchData(db: Db, opts: { sizes: number[]; loadUsers: number; log: (line: string) => void }): Promise<BenchData> {
  const bench = await ensureTenant(db, benchTenantSlug, 'Bench');
  const adminId = await ensureBenchAdmin(db, bench.tenantId);
  const tenants = { bench: { ...bench, adminId, adminEmail: benchAdminEmail } } as BenchData['tenants'];
  for (const slug of ['acme', 'globex'] as const) {
    tenants[slug] = { ...(await findScope(db, slug)), adminId: await adminIdOf(db, tenantAdmins[slug]), adminEmail: tenantAdmins[slug] };
  }

  let inserted = 0;
  const sizes: BenchUser[] = [];
  for (const events of opts.sizes) {
    const user = await ensureUser(db, bench, `bench-${events}@bench.example`, `Bench ${events} events`);
    inserted += await ensureEvents(db, { ...bench, userId: user }, events, opts.log);
    sizes.push({ ...bench, userId: user, email: `bench-${events}@bench.example`, events });
  }

  const latencyEmail = 'bench-latency@acme.example';
  const latencyId = await ensureUser(db, tenants.acme, latencyEmail, 'Bench Latency');
  inserted += await ensureEvents(db, { ...tenants.acme, userId: latencyId }, latencyEvents, opts.log);
  const latencyUser: BenchUser = { ...scopeOf(tenants.acme), userId: latencyId, email: latencyEmail, events: latencyEvents };

  const loadUsers: BenchData['loadUsers'] = [];
  for (let i = 0; i < opts.loadUsers; i++) {
    const tenant = loadTenantSlugs[i % loadTenantSlugs.length]!;
    const scope = scopeOf(tenants[tenant]);
    const email = `bench-load-${String(i).padStart(3, '0')}@${tenant}.example`;
    const userId = await ensureUser(db, scope, email, `Load ${i}`);
    loadUsers.push({ ...scope, tenant, userId, email, events: 3 + (i % 17) });
  }
  inserted += await ensureLoadEvents(db, loadUsers, opts.log);

  if (inserted > 0) {
    // Steady state for the planner and the visibility map (index-only counts), as
    // autovacuum would leave it some minutes after a bulk insert.
    opts.log(`vacuum analyze events (${inserted} new events)`);
    await sql`vacuum analyze events`.execute(db);
  }
  return { tenants, sizes, latencyUser, loadUsers };
}

const scopeOf = (s: Scope): Scope => ({ tenantId: s.tenantId, environmentId: s.environmentId });

async function ensureTenant(db: Db, slug: string, name: string): Promise<Scope> {
  const tenant = await db
    .insertInto('tenants')
    .values({ slug, name })
    .onConflict((oc) => oc.column('slug').doUpdateSet({ name }))
    .returning('id')
    .executeTakeFirstOrThrow();
  const environment = await db
    .insertInto('environments')
    .values({ tenant_id: tenant.id, slug: 'production', name: 'Production' })
    .onConflict((oc) => oc.columns(['tenant_id', 'slug']).doUpdateSet({ name: 'Production' }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return { tenantId: tenant.id, environmentId: environment.id };
}

async function findScope(db: Db, tenantSlug: string): Promise<Scope> {
  const row = await db
    .selectFrom('environments')
    .innerJoin('tenants', 'tenants.id', 'environments.tenant_id')
    .select(['tenants.id as tenantId', 'environments.id as environmentId'])
    .where('tenants.slug', '=', tenantSlug)
    .where('environments.slug', '=', 'production')
    .executeTakeFirst();
  if (!row) throw new Error(`tenant ${tenantSlug} has no production environment: did the demo seed run?`);
  return row;
}

async function adminIdOf(db: Db, email: string): Promise<string> {
  const row = await db.selectFrom('admins').select('id').where('email', '=', email).executeTakeFirst();
  if (!row) throw new Error(`admin ${email} is missing: did the demo seed run?`);
  return row.id;
}

async function ensureBenchAdmin(db: Db, tenantId: string): Promise<string> {
  const current = await db.selectFrom('admins').select(['id', 'password_hash']).where('email', '=', benchAdminEmail).executeTakeFirst();
  if (current && (await verifyPassword(demoPassword, current.password_hash))) return current.id;
  const passwordHash = await hashPassword(demoPassword);
  if (current) {
    await db.updateTable('admins').set({ password_hash: passwordHash }).where('id', '=', current.id).execute();
    return current.id;
  }
  const row = await db
    .insertInto('admins')
    .values({ tenant_id: tenantId, email: benchAdminEmail, name: 'Bench Admin', role: 'admin', password_hash: passwordHash })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function ensureUser(db: Db, scope: Scope, email: string, name: string): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({ tenant_id: scope.tenantId, environment_id: scope.environmentId, email, name, created_at: eventsStartAt, last_login_at: null })
    .onConflict((oc) => oc.columns(['tenant_id', 'environment_id', 'email']).doUpdateSet({ name }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function eventCount(db: Db, scope: Scope & { userId: string }): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('user_id', '=', scope.userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Makes the user have exactly `events` events; returns how many were inserted. */
async function ensureEvents(db: Db, scope: Scope & { userId: string }, events: number, log: (line: string) => void): Promise<number> {
  const have = await eventCount(db, scope);
  if (have === events) return 0;
  if (have > 0) {
    log(`user ${scope.userId} has ${have} events, not ${events}: regenerating`);
    await deleteEvents(db, scope);
  }
  const started = Date.now();
  await insertGeneratedEvents(db, scope, events, eventsStartAt);
  if (events >= 100_000) log(`seeded ${events.toLocaleString('en')} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return events;
}

async function ensureLoadEvents(db: Db, users: (BenchUser & { tenant: LoadTenant })[], log: (line: string) => void): Promise<number> {
  if (users.length === 0) return 0;
  const counts = await db
    .selectFrom('events')
    .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where(
      'user_id',
      'in',
      users.map((u) => u.userId),
    )
    .groupBy('user_id')
    .execute();
  const have = new Map(counts.map((c) => [c.user_id, Number(c.n)]));
  let inserted = 0;
  for (const user of users) {
    const n = have.get(user.userId) ?? 0;
    if (n === user.events) continue;
    if (n > 0) await deleteEvents(db, user);
    await insertGeneratedEvents(db, user, user.events, eventsStartAt);
    inserted += user.events;
  }
  if (inserted > 0) log(`seeded ${users.length} load users (${inserted} events)`);
  return inserted;
}

export async function deleteEvents(db: Db, scope: Scope & { userId: string }): Promise<void> {
  await db
    .deleteFrom('events')
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('user_id', '=', scope.userId)
    .execute();
}
