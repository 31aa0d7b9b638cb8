import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '../../lib/db/web-db';
import { isAppError } from '../../lib/errors';
import type { UserExportInput } from '../../lib/exports/export.contracts';
import { exportOptionsOf, getExport, listExports, requestExport } from '../../lib/exports/export.service';
import type { Actor, Scope } from '../../lib/scope';
import { resetTemporalClient } from '../../lib/temporal/client';

/**
 * Export options (issue 12 §2) through the real service and Postgres: what the row, the API
 * shape and the workflow input carry, and that dedupe and Idempotency-Key tell exports with
 * other options apart. Temporal is a stand-in that records each start and leaves the export
 * queued, so a second request finds the first in flight.
 */
const db = getDb();
const temporalCache = globalThis as typeof globalThis & { __exportConsoleTemporal?: Promise<Client> };
const origin = { clientAddress: '203.0.113.12', userAgent: 'ExportOptionsIntTest/1.0' };

let scope: Scope;
let otherScope: Scope;
let admin: Actor;
let userId: string;
const started: UserExportInput[] = [];

beforeAll(async () => {
  const row = await db
    .selectFrom('admins as a')
    .innerJoin('tenants as t', 't.id', 'a.tenant_id')
    .innerJoin('environments as e', 'e.tenant_id', 'a.tenant_id')
    .innerJoin('users as u', (j) => j.onRef('u.environment_id', '=', 'e.id'))
    .select(['a.id', 'a.tenant_id', 'e.id as environment_id', 'u.id as user_id'])
    .where('a.role', '=', 'admin')
    .where('t.slug', '=', 'globex')
    .where('e.slug', '=', 'sandbox')
    .orderBy('u.email')
    .executeTakeFirstOrThrow();
  scope = { tenantId: row.tenant_id, environmentId: row.environment_id };
  admin = { id: row.id, origin };
  userId = row.user_id;
  const production = await db
    .selectFrom('environments')
    .select('id')
    .where('tenant_id', '=', scope.tenantId)
    .where('slug', '=', 'production')
    .executeTakeFirstOrThrow();
  otherScope = { tenantId: scope.tenantId, environmentId: production.id };
  const client = {
    connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(), close: async () => {} },
    workflow: {
      start: async (_type: string, options: { args: [UserExportInput] }) => {
        started.push(options.args[0]);
      },
    },
  };
  temporalCache.__exportConsoleTemporal = Promise.resolve(client as unknown as Client);
});

beforeEach(async () => {
  await db.deleteFrom('exports').where('user_id', '=', userId).execute();
  started.length = 0;
});

afterAll(async () => {
  await db.deleteFrom('exports').where('user_id', '=', userId).execute();
  temporalCache.__exportConsoleTemporal = undefined;
  resetTemporalClient();
  await db.destroy();
});

const range = { from: '2026-01-01T00:00:00+01:00', to: '2026-02-01T00:00:00Z' };

describe('export options', () => {
  it("no options is today's export: csv, no range, and a workflow input without bounds", async () => {
    const { export: exp, created } = await requestExport(scope, admin, userId, { exportOptions: exportOptionsOf({}) });
    expect(created).toBe(true);
    expect(exp).toMatchObject({ format: 'csv', range: null });
    expect(started).toEqual([{ exportId: exp.id, userId, ...scope, format: 'csv' }]);
  });

  it('stores format and range (normalised to UTC), shows them, and hands them to the workflow', async () => {
    const { export: exp } = await requestExport(scope, admin, userId, { exportOptions: exportOptionsOf({ format: 'jsonl', ...range }) });
    const expected = { format: 'jsonl', range: { from: '2025-12-31T23:00:00.000Z', to: '2026-02-01T00:00:00.000Z' } };
    expect(exp).toMatchObject(expected);
    expect(await getExport(scope, exp.id)).toMatchObject(expected);
    expect((await listExports(scope, { userId, limit: 5 })).exports[0]).toMatchObject(expected);
    expect(started[0]).toEqual({ exportId: exp.id, userId, ...scope, format: 'jsonl', from: expected.range.from, to: expected.range.to });
    const row = await db.selectFrom('exports').select(['format', 'range_from', 'range_to']).where('id', '=', exp.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ format: 'jsonl', range_from: new Date(expected.range.from), range_to: new Date(expected.range.to) });
  });

  it('dedupes only requests with the same options: another format or range is another export', async () => {
    const csv = await requestExport(scope, admin, userId, { exportOptions: exportOptionsOf({}) });
    const csvAgain = await requestExport(scope, admin, userId, { exportOptions: exportOptionsOf({ format: 'csv' }) });
    expect(csvAgain).toMatchObject({ created: false, export: { id: csv.export.id } });

    const jsonl = await requestExport(scope, admin, userId, { exportOptions: exportOptionsOf({ format: 'jsonl' }) });
    const ranged = await requestExport(scope, admin, userId, { exportOptions: exportOptionsOf({ format: 'jsonl', ...range }) });
    const openEnded = await requestExport(scope, admin, userId, { exportOptions: exportOptionsOf({ format: 'jsonl', from: range.from }) });
    // The same instant written with another offset is the same range.
    const rangedAgain = await requestExport(scope, admin, userId, {
      exportOptions: exportOptionsOf({ format: 'jsonl', from: '2025-12-31T23:00:00Z', to: range.to }),
    });
    expect([jsonl.created, ranged.created, openEnded.created, rangedAgain.created]).toEqual([true, true, true, false]);
    expect(rangedAgain.export.id).toBe(ranged.export.id);
    expect(new Set([csv, jsonl, ranged, openEnded].map((r) => r.export.id)).size).toBe(4);
    expect(started).toHaveLength(4);
  });

  it('an Idempotency-Key sent again with other options is a 409 and starts nothing', async () => {
    const key = randomUUID();
    const first = await requestExport(scope, admin, userId, { idempotencyKey: key, exportOptions: exportOptionsOf({ format: 'jsonl' }) });
    const replay = await requestExport(scope, admin, userId, { idempotencyKey: key, exportOptions: exportOptionsOf({ format: 'jsonl' }) });
    expect(replay).toMatchObject({ created: false, export: { id: first.export.id } });
    const error = await requestExport(scope, admin, userId, { idempotencyKey: key, exportOptions: exportOptionsOf({ format: 'jsonl', ...range }) }).catch(
      (e: unknown) => e,
    );
    expect(isAppError(error) && [error.status, error.hint]).toEqual([409, expect.stringMatching(/one format and range/)]);
    expect(started).toHaveLength(1);
  });

  it('"Export again" repeats the original\'s format and range', async () => {
    const original = await requestExport(scope, admin, userId, { exportOptions: exportOptionsOf({ format: 'csv-excel', ...range }) });
    await db.updateTable('exports').set({ status: 'failed' }).where('id', '=', original.export.id).execute();
    const again = await requestExport(scope, admin, userId, { retryOf: original.export.id });
    expect(again.created).toBe(true);
    expect(again.export).toMatchObject({ retryOf: original.export.id, format: 'csv-excel', range: original.export.range });
    expect(started[1]).toMatchObject({ format: 'csv-excel', from: original.export.range!.from, to: original.export.range!.to });
  });

  it('options do not cross environments: the export is still not found from another one', async () => {
    const { export: exp } = await requestExport(scope, admin, userId, { exportOptions: exportOptionsOf({ format: 'jsonl', ...range }) });
    const error = await getExport(otherScope, exp.id).catch((e: unknown) => e);
    expect(isAppError(error) && error.status).toBe(404);
    expect((await listExports(otherScope, { limit: 100 })).exports.map((e) => e.id)).not.toContain(exp.id);
  });

  it('records the options in the audit entry', async () => {
    const { export: exp } = await requestExport(scope, admin, userId, { exportOptions: exportOptionsOf({ format: 'jsonl', ...range }) });
    const audit = await db
      .selectFrom('audit_log')
      .select('details')
      .where('export_id', '=', exp.id)
      .where('action', '=', 'export.requested')
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ format: 'jsonl', range: { from: '2025-12-31T23:00:00.000Z', to: '2026-02-01T00:00:00.000Z' } });
  });
});
