import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../lib/db/web-db';
import { isAppError } from '../../lib/errors';
import { cancelExport, requestExport } from '../../lib/exports/export.service';
import type { Actor, Scope } from '../../lib/scope';
import { getTemporalClient, resetTemporalClient } from '../../lib/temporal/client';
import { listUsers } from '../../lib/users/user.service';

/**
 * An export request or cancel and its audit row commit together (review L12, M6), through
 * the real service, Postgres and Temporal. Failures are injected at the two seams: a
 * Temporal client whose cancel fails, and a trigger that makes audit inserts of one
 * dedicated admin fail (as a full disk or a lost connection would).
 */
const db = getDb();
const temporalCache = globalThis as typeof globalThis & { __exportConsoleTemporal?: Promise<Client> };
const origin = { clientAddress: '203.0.113.9', userAgent: 'ExportAuditIntTest/1.0' };

let scope: Scope;
let admin: Actor;
let adminEmail = '';
/** An admin of the same tenant whose audit inserts the trigger refuses. */
let unauditable: Actor;
const exportIds: string[] = [];
const workflowIds: string[] = [];

/** A queued export of a user with nothing in flight, as requestExport would leave it. */
async function queuedExport(): Promise<{ id: string; workflowId: string; userId: string }> {
  const user = await db
    .selectFrom('users as u')
    .select('u.id')
    .where('u.tenant_id', '=', scope.tenantId)
    .where('u.environment_id', '=', scope.environmentId)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('exports as x').select('x.id').whereRef('x.user_id', '=', 'u.id').where('x.status', 'in', ['queued', 'running']))),
    )
    .orderBy('u.email')
    .executeTakeFirstOrThrow();
  const id = randomUUID();
  const workflowId = `user-export-${id}`;
  await db
    .insertInto('exports')
    .values({
      id,
      tenant_id: scope.tenantId,
      environment_id: scope.environmentId,
      user_id: user.id,
      requested_by: admin.id,
      workflow_id: workflowId,
      status: 'queued',
    })
    .execute();
  exportIds.push(id);
  return { id, workflowId, userId: user.id };
}

function auditRows(exportId: string) {
  return db.selectFrom('audit_log').select(['action', 'admin_id', 'client_address', 'user_agent']).where('export_id', '=', exportId).execute();
}

/** A stand-in Temporal client: records cancel calls and fails them when told to. */
function fakeTemporal(cancel: () => Promise<void>): { calls: number } {
  const state = { calls: 0 };
  const client = {
    connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(), close: async () => {} },
    workflow: {
      getHandle: () => ({
        cancel: async () => {
          state.calls++;
          await cancel();
        },
      }),
    },
  };
  temporalCache.__exportConsoleTemporal = Promise.resolve(client as unknown as Client);
  return state;
}

beforeAll(async () => {
  const row = await db
    .selectFrom('admins as a')
    .innerJoin('environments as e', 'e.tenant_id', 'a.tenant_id')
    .innerJoin('tenants as t', 't.id', 'a.tenant_id')
    .select(['a.id', 'a.email', 'a.tenant_id', 'e.id as environment_id', 'a.password_hash'])
    // The seeded tenant: fixture tenants other files leave behind (with exports in flight) sort first at times.
    .where('t.slug', '=', 'acme')
    .where('a.role', '=', 'admin')
    .where('e.slug', '=', 'production')
    .orderBy('a.email')
    .executeTakeFirstOrThrow();
  scope = { tenantId: row.tenant_id, environmentId: row.environment_id };
  admin = { id: row.id, origin };
  adminEmail = row.email;
  const broken = await db
    .insertInto('admins')
    .values({ tenant_id: row.tenant_id, email: `unauditable-${randomUUID()}@audit.test`, name: 'Unauditable', password_hash: row.password_hash, role: 'admin' })
    .returning('id')
    .executeTakeFirstOrThrow();
  unauditable = { id: broken.id, origin };
  await sql`create or replace function audit_fail_for_test() returns trigger language plpgsql as $$
    begin raise exception 'audit insert refused by the test'; end $$`.execute(db);
  await sql`create trigger audit_fail_for_test before insert on audit_log for each row
    when (new.admin_id = ${sql.lit(broken.id)}::uuid) execute function audit_fail_for_test()`.execute(db);
});

afterAll(async () => {
  temporalCache.__exportConsoleTemporal = undefined;
  const client = await getTemporalClient();
  for (const workflowId of workflowIds)
    await client.workflow
      .getHandle(workflowId)
      .terminate('test cleanup')
      .catch(() => {});
  resetTemporalClient();
  await sql`drop trigger if exists audit_fail_for_test on audit_log`.execute(db);
  await sql`drop function if exists audit_fail_for_test()`.execute(db);
  await db
    .deleteFrom('audit_log')
    .where('export_id', 'in', exportIds.length ? exportIds : [randomUUID()])
    .execute();
  await db
    .deleteFrom('exports')
    .where('id', 'in', exportIds.length ? exportIds : [randomUUID()])
    .execute();
  if (unauditable) await db.deleteFrom('admins').where('id', '=', unauditable.id).execute();
  await db.destroy();
});

describe('cancel and its audit row', () => {
  it('a cancel whose Temporal call fails writes no audit row and leaves the export in flight', async () => {
    const exp = await queuedExport();
    // The users page sees the user's newest export: this one, queued.
    const { users } = await listUsers(scope, { limit: 100 });
    expect(users.find((u) => u.id === exp.userId)?.latestExport).toEqual({
      id: exp.id,
      status: 'queued',
      progress: { rowsExported: 0, rowsTotal: null },
      expiresAt: null,
    });
    const temporal = fakeTemporal(async () => {
      throw new Error('14 UNAVAILABLE: No connection established');
    });
    const error = await cancelExport(scope, admin, exp.id).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('unavailable');
    expect(temporal.calls).toBe(1);
    expect(await auditRows(exp.id)).toEqual([]);
    expect((await db.selectFrom('exports').select('status').where('id', '=', exp.id).executeTakeFirstOrThrow()).status).toBe('queued');
  });

  it('an audit insert that fails stops the cancel before Temporal is asked', async () => {
    const exp = await queuedExport();
    const temporal = fakeTemporal(async () => {});
    await expect(cancelExport(scope, unauditable, exp.id)).rejects.toThrow(/audit insert refused/);
    expect(temporal.calls).toBe(0);
    expect(await auditRows(exp.id)).toEqual([]);
  });

  it('a successful cancel writes exactly one audit row, with the client address and user agent', async () => {
    temporalCache.__exportConsoleTemporal = undefined;
    const exp = await queuedExport();
    // A real workflow with no worker on its queue: Temporal accepts the cancel request.
    const client = await getTemporalClient();
    await client.workflow.start('UserExportWorkflow', { taskQueue: `audit-test-${randomUUID()}`, workflowId: exp.workflowId, args: [{}] });
    workflowIds.push(exp.workflowId);
    // Still in flight (no worker confirms), but the DTO already says who asked to cancel.
    const dto = await cancelExport(scope, admin, exp.id);
    expect(dto).toMatchObject({ status: 'queued', cancelledBy: adminEmail });
    expect(await auditRows(exp.id)).toEqual([
      { action: 'export.cancelled', admin_id: admin.id, client_address: origin.clientAddress, user_agent: origin.userAgent },
    ]);
    const described = await client.workflow.getHandle(exp.workflowId).fetchHistory();
    expect((described.events ?? []).some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
  });
});

describe('export request and its audit row', () => {
  it('an audit insert that fails leaves no queued export behind (and starts no workflow)', async () => {
    const fresh = await queuedExport();
    // Free the user again: the request below must create a new export for them.
    await db.deleteFrom('exports').where('id', '=', fresh.id).execute();
    const temporal = fakeTemporal(async () => {});
    await expect(requestExport(scope, unauditable, fresh.userId)).rejects.toThrow(/audit insert refused/);
    const left = await db
      .selectFrom('exports')
      .select(['id', 'status'])
      .where('user_id', '=', fresh.userId)
      .where('requested_by', '=', unauditable.id)
      .execute();
    exportIds.push(...left.map((r) => r.id));
    expect(left).toEqual([]);
    expect(temporal.calls).toBe(0);
  });

  it('a request writes one audit row with the client address and user agent', async () => {
    const fresh = await queuedExport();
    await db.deleteFrom('exports').where('id', '=', fresh.id).execute();
    temporalCache.__exportConsoleTemporal = undefined;
    const { export: created } = await requestExport(scope, admin, fresh.userId);
    exportIds.push(created.id);
    workflowIds.push(`user-export-${created.id}`);
    expect(await auditRows(created.id)).toEqual([
      { action: 'export.requested', admin_id: admin.id, client_address: origin.clientAddress, user_agent: origin.userAgent },
    ]);
  });
});
