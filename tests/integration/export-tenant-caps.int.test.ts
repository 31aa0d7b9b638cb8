import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../lib/db/web-db';
import { sharedEnv } from '../../lib/env';
import { isAppError } from '../../lib/errors';
import { requestExport } from '../../lib/exports/export.service';
import type { Actor, Scope } from '../../lib/scope';
import { resetTemporalClient } from '../../lib/temporal/client';

/**
 * Requests for different users no longer queue on one tenant-wide lock (only the insert
 * path takes it), so this checks the tenant's caps stay exact when many users' requests
 * race: a burst over the cap creates exactly the cap, and every other request is a 429.
 * In a tenant of its own, so no other test's exports count against the cap.
 */
const db = getDb();
const temporalCache = globalThis as typeof globalThis & { __exportConsoleTemporal?: Promise<Client> };
const origin = { clientAddress: '203.0.113.11', userAgent: 'ExportTenantCapsIntTest/1.0' };
const env = sharedEnv();
const cap = Math.min(env.EXPORT_MAX_CONCURRENT, env.EXPORT_RATE_PER_MINUTE);
const burst = cap + 8;

let tenantId = '';
let scope: Scope;
let admin: Actor;
let userIds: string[] = [];

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  tenantId = (
    await db
      .insertInto('tenants')
      .values({ slug: `caps-${suffix}`, name: `Caps ${suffix}` })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  const environmentId = (
    await db.insertInto('environments').values({ tenant_id: tenantId, slug: 'production', name: 'Production' }).returning('id').executeTakeFirstOrThrow()
  ).id;
  const adminId = (
    await db
      .insertInto('admins')
      .values({ tenant_id: tenantId, email: `admin@caps-${suffix}.test`, name: 'Caps Admin', password_hash: 'x', role: 'admin' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  const users = await db
    .insertInto('users')
    .values(
      Array.from({ length: burst }, (_, i) => ({ tenant_id: tenantId, environment_id: environmentId, email: `u${i}@caps-${suffix}.test`, name: `User ${i}` })),
    )
    .returning('id')
    .execute();
  scope = { tenantId, environmentId };
  admin = { id: adminId, origin };
  userIds = users.map((u) => u.id);
  // A Temporal that accepts every start: the exports stay queued and count as in flight.
  const client = { connection: { withDeadline: <T>(_d: number, fn: () => Promise<T>) => fn(), close: async () => {} }, workflow: { start: async () => {} } };
  temporalCache.__exportConsoleTemporal = Promise.resolve(client as unknown as Client);
});

afterAll(async () => {
  temporalCache.__exportConsoleTemporal = undefined;
  resetTemporalClient();
  if (tenantId) {
    // Rows that reference the admin without a cascade go first.
    await db.deleteFrom('audit_log').where('tenant_id', '=', tenantId).execute();
    await db.deleteFrom('exports').where('tenant_id', '=', tenantId).execute();
    await db.deleteFrom('tenants').where('id', '=', tenantId).execute();
  }
  await db.destroy();
});

describe('tenant export caps under a many-user burst', () => {
  it(`${burst} parallel requests for ${burst} users create exactly the cap, the rest are 429`, async () => {
    const outcomes = await Promise.all(
      userIds.map((userId) =>
        requestExport(scope, admin, userId).then(
          () => 'created' as const,
          (e: unknown) => e,
        ),
      ),
    );
    const created = outcomes.filter((o) => o === 'created').length;
    const limited = outcomes.filter((o) => isAppError(o) && o.status === 429).length;
    expect({ created, limited }).toEqual({ created: cap, limited: burst - cap });
    const rows = await db.selectFrom('exports').select('id').where('tenant_id', '=', tenantId).execute();
    expect(rows).toHaveLength(cap);
  });
});
