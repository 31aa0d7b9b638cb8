import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '../../lib/db/web-db';
import { isAppError } from '../../lib/errors';
import { exportDedupeWindowMs, requestExport } from '../../lib/exports/export.service';
import type { Actor, Scope } from '../../lib/scope';
import { resetTemporalClient } from '../../lib/temporal/client';

/**
 * Dedupe of export requests through the real service and Postgres (issue 10 §6). Temporal
 * is a stand-in whose `start` marks the export completed at once, as a worker does for a
 * user with no events (~100 ms): the race where a burst's first export ends while later
 * requests still wait for the lock, and each of them used to start another export.
 */
const db = getDb();
const temporalCache = globalThis as typeof globalThis & { __exportConsoleTemporal?: Promise<Client> };
const origin = { clientAddress: '203.0.113.10', userAgent: 'ExportDedupeIntTest/1.0' };

let scope: Scope;
let admin: Actor;
let userId: string;
/** A second user of the same environment, for a key reused with another user. */
let otherUserId: string;
const started: string[] = [];

/** A Temporal stand-in: each start finishes its export at once. */
function finishingTemporal(): void {
  const client = {
    connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(), close: async () => {} },
    workflow: {
      start: async (_type: string, options: { workflowId: string; args: [{ exportId: string }] }) => {
        started.push(options.workflowId);
        await db.updateTable('exports').set({ status: 'completed', completed_at: new Date() }).where('id', '=', options.args[0].exportId).execute();
      },
    },
  };
  temporalCache.__exportConsoleTemporal = Promise.resolve(client as unknown as Client);
}

function exportsOfUser() {
  return db.selectFrom('exports').select(['id', 'status', 'created_at']).where('user_id', '=', userId).execute();
}

beforeAll(async () => {
  const row = await db
    .selectFrom('admins as a')
    .innerJoin('environments as e', 'e.tenant_id', 'a.tenant_id')
    .innerJoin('tenants as t', 't.id', 'a.tenant_id')
    .innerJoin('users as u', (j) => j.onRef('u.environment_id', '=', 'e.id'))
    .select(['a.id', 'a.tenant_id', 'e.id as environment_id', 'u.id as user_id'])
    // The seeded tenant: other files' fixture tenants (exports in flight) can sort first.
    .where('t.slug', '=', 'acme')
    .where('a.role', '=', 'admin')
    .where('e.slug', '=', 'production')
    .orderBy('a.email')
    .orderBy('u.email', 'desc')
    .executeTakeFirstOrThrow();
  scope = { tenantId: row.tenant_id, environmentId: row.environment_id };
  admin = { id: row.id, origin };
  userId = row.user_id;
  const other = await db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', '!=', userId)
    .orderBy('email', 'desc')
    .executeTakeFirstOrThrow();
  otherUserId = other.id;
  finishingTemporal();
});

beforeEach(async () => {
  await db.deleteFrom('exports').where('user_id', 'in', [userId, otherUserId]).execute();
  started.length = 0;
});

afterAll(async () => {
  await db.deleteFrom('exports').where('user_id', 'in', [userId, otherUserId]).execute();
  temporalCache.__exportConsoleTemporal = undefined;
  resetTemporalClient();
  await db.destroy();
});

describe('export request dedupe', () => {
  it('20 parallel requests for one user start one export even when it finishes at once', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => requestExport(scope, admin, userId)));
    expect(new Set(results.map((r) => r.export.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(started).toHaveLength(1);
    expect(await exportsOfUser()).toHaveLength(1);
  });

  it('a request right after the export completed returns it; after the window it starts a new one', async () => {
    const first = await requestExport(scope, admin, userId);
    expect(first.created).toBe(true);
    const again = await requestExport(scope, admin, userId);
    expect(again).toMatchObject({ created: false, export: { id: first.export.id, status: 'completed' } });

    // Moved back past the window (by the database clock, as the check reads it).
    await sql`update exports set created_at = now() - make_interval(secs => ${exportDedupeWindowMs / 1000 + 1})
      where id = ${first.export.id}`.execute(db);
    const later = await requestExport(scope, admin, userId);
    expect(later.created).toBe(true);
    expect(later.export.id).not.toBe(first.export.id);
  });

  it('a failed export is not reused: asking again is a retry', async () => {
    const first = await requestExport(scope, admin, userId);
    await db.updateTable('exports').set({ status: 'failed' }).where('id', '=', first.export.id).execute();
    const retry = await requestExport(scope, admin, userId);
    expect(retry.created).toBe(true);
    expect(retry.export.id).not.toBe(first.export.id);
  });
});

describe('Idempotency-Key', () => {
  it('the same key from the same admin returns the same export for 24 h, even after the dedupe window', async () => {
    const key = randomUUID();
    const first = await requestExport(scope, admin, userId, { idempotencyKey: key });
    expect(first.created).toBe(true);
    // Past the 10 s window, so only the key can make the replay return the same export.
    await sql`update exports set created_at = now() - interval '1 hour' where id = ${first.export.id}`.execute(db);
    await sql`update export_idempotency_keys set created_at = now() - interval '23 hours' where key = ${key}`.execute(db);
    const replay = await requestExport(scope, admin, userId, { idempotencyKey: key });
    expect(replay).toMatchObject({ created: false, export: { id: first.export.id } });
    expect(started).toHaveLength(1);

    // After 24 h the key is free again: a new export, and the key now names it.
    await sql`update export_idempotency_keys set created_at = now() - interval '25 hours' where key = ${key}`.execute(db);
    const fresh = await requestExport(scope, admin, userId, { idempotencyKey: key });
    expect(fresh.created).toBe(true);
    expect((await requestExport(scope, admin, userId, { idempotencyKey: key })).export.id).toBe(fresh.export.id);
  });

  it('the same key reused for another user is a 409 and starts nothing', async () => {
    const key = randomUUID();
    await requestExport(scope, admin, userId, { idempotencyKey: key });
    const error = await requestExport(scope, admin, otherUserId, { idempotencyKey: key }).catch((e: unknown) => e);
    expect(isAppError(error) && [error.status, error.message]).toEqual([409, expect.stringMatching(/Idempotency-Key/)]);
    expect(await db.selectFrom('exports').select('id').where('user_id', '=', otherUserId).execute()).toEqual([]);
  });

  it('20 parallel requests with one key start one export', async () => {
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, () => requestExport(scope, admin, userId, { idempotencyKey: key })));
    expect(new Set(results.map((r) => r.export.id)).size).toBe(1);
    expect(started).toHaveLength(1);
  });

  it('another admin sending the same key gets its own binding', async () => {
    const hash = await db.selectFrom('admins').select('password_hash').where('id', '=', admin.id).executeTakeFirstOrThrow();
    const other = await db
      .insertInto('admins')
      .values({ tenant_id: scope.tenantId, email: `idem-${randomUUID()}@dedupe.test`, name: 'Second admin', password_hash: hash.password_hash, role: 'admin' })
      .returning('id')
      .executeTakeFirstOrThrow();
    try {
      const key = randomUUID();
      await requestExport(scope, admin, userId, { idempotencyKey: key });
      // The same key naming another user: a conflict for the first admin, a new export for the second.
      const theirs = await requestExport(scope, { id: other.id, origin }, otherUserId, { idempotencyKey: key });
      expect(theirs.created).toBe(true);
    } finally {
      await db.deleteFrom('audit_log').where('admin_id', '=', other.id).execute();
      await db.deleteFrom('exports').where('requested_by', '=', other.id).execute();
      await db.deleteFrom('admins').where('id', '=', other.id).execute();
    }
  });
});
