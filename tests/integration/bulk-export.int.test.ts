import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { sql } from 'kysely';
import { encode } from 'next-auth/jwt';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as postBulk } from '../../app/api/bulk-exports/route';
import { getDb } from '../../lib/db/web-db';
import { webEnv } from '../../lib/env';
import { bulkManifestName, parseBulkManifest } from '../../lib/exports/archive/manifest';
import type { BulkExportDto } from '../../lib/exports/bulk/bulk-export.contracts';
import { bulkDownloadUrl, cancelBulkExport, getBulkExport, requestBulkExport } from '../../lib/exports/bulk/bulk-export.service';
import { sweepExpiredExports } from '../../lib/exports/export-retention';
import { objectSize } from '../../lib/storage/multipart-upload';
import { requestExport } from '../../lib/exports/export.service';
import type { Actor, Scope } from '../../lib/scope';
import { resetTemporalClient } from '../../lib/temporal/client';
import { exportEnvironmentKey, exportStatusKey, exportTenantKey } from '../../lib/temporal/search-attributes';
import { getObjectBytes } from '../support/export-fixtures';
import { type RealWorkerHarness, startRealWorker } from '../support/worker';
import { readZip } from '../support/zip';

/**
 * Bulk exports end to end on the real stack: the service starts BulkExportWorkflow, the
 * production worker registration runs it and its UserExportWorkflow children against
 * Postgres and S3. A batch size of 2 makes the parent continue as new on every few users.
 * In a tenant of its own, so no other test's exports count against the tenant's caps.
 */
const queue = `bulk-test-${randomUUID()}`;
const saved = { queue: process.env.TEMPORAL_TASK_QUEUE, batch: process.env.BULK_EXPORT_BATCH_SIZE, concurrency: process.env.BULK_EXPORT_CONCURRENCY };
// Read by the service (the workflow's input) and by the worker below; set before either reads its env.
process.env.TEMPORAL_TASK_QUEUE = queue;
process.env.BULK_EXPORT_BATCH_SIZE = '2';
process.env.BULK_EXPORT_CONCURRENCY = '2';

const db = getDb();
const origin = { clientAddress: '203.0.113.21', userAgent: 'BulkExportIntTest/1.0' };
const suffix = randomUUID().slice(0, 8);
let harness: RealWorkerHarness;
let running: Promise<unknown>;
let scope: Scope;
let otherScope: Scope;
let admin: Actor;
let otherAdmin: Actor;
let cookie: string;
/** Users by name: small ones with a few events, big ones that take seconds to export. */
const users: Record<string, string> = {};
let otherTenantUser: string;
let completedBulk: BulkExportDto | undefined;

async function addUser(s: Scope, name: string, events: number): Promise<string> {
  const { id } = await db
    .insertInto('users')
    .values({ tenant_id: s.tenantId, environment_id: s.environmentId, email: `${name}@bulk-${suffix}.test`, name: `User ${name}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (events > 0) {
    // The web pool's statement timeout is for requests; a big user takes longer to insert.
    await db.transaction().execute(async (tx) => {
      await sql`set local statement_timeout = 0`.execute(tx);
      await sql`insert into events (tenant_id, environment_id, user_id, type, occurred_at, properties)
      select ${s.tenantId}::uuid, ${s.environmentId}::uuid, ${id}::uuid, 'page.viewed', timestamptz '2026-01-01T00:00:00Z' + g * interval '1 second', jsonb_build_object('n', g, 'path', '/p/' || g)
      from generate_series(1, ${events}) g`.execute(tx);
    });
  }
  return id;
}

async function addTenant(slug: string) {
  const tenantId = (await db.insertInto('tenants').values({ slug, name: slug }).returning('id').executeTakeFirstOrThrow()).id;
  const environmentId = (
    await db.insertInto('environments').values({ tenant_id: tenantId, slug: 'production', name: 'Production' }).returning('id').executeTakeFirstOrThrow()
  ).id;
  const adminRow = await db
    .insertInto('admins')
    .values({ tenant_id: tenantId, email: `admin@${slug}.test`, name: 'Bulk Admin', password_hash: 'x', role: 'admin' })
    .returning(['id', 'email', 'name', 'role', 'session_version'])
    .executeTakeFirstOrThrow();
  return { scope: { tenantId, environmentId }, adminRow };
}

beforeAll(async () => {
  const main = await addTenant(`bulk-${suffix}`);
  scope = main.scope;
  admin = { id: main.adminRow.id, origin };
  otherAdmin = {
    id: (
      await db
        .insertInto('admins')
        .values({ tenant_id: scope.tenantId, email: `other@bulk-${suffix}.test`, name: 'Other', password_hash: 'x', role: 'admin' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,
    origin,
  };
  const token = await encode({
    secret: webEnv().NEXTAUTH_SECRET,
    token: {
      admin: {
        id: admin.id,
        email: main.adminRow.email,
        name: main.adminRow.name,
        role: main.adminRow.role,
        tenantId: scope.tenantId,
        tenantName: 'Bulk',
        environmentId: scope.environmentId,
      },
      authTime: Math.floor(Date.now() / 1000),
      sessionVersion: main.adminRow.session_version,
    },
  });
  cookie = `next-auth.session-token=${token}`;
  for (const [name, events] of [
    ['ann', 3],
    ['bob', 0],
    ['cid', 25],
    ['dee', 7],
    ['fay', 4],
  ] as const)
    users[name] = await addUser(scope, name, events);
  // First by email, so both start at once; big enough that a cancel lands mid-stream.
  for (const name of ['aa-big1', 'aa-big2']) users[name] = await addUser(scope, name, 500_000);
  const other = await addTenant(`bulk-other-${suffix}`);
  otherScope = other.scope;
  otherTenantUser = await addUser(otherScope, 'stranger', 2);
  // One user's export fails deterministically: its row never moves to running, which the
  // export activity reports as a non-retryable not-found (the failure the bulk must list).
  await sql
    .raw(`create or replace function bulk_test_block_running() returns trigger language plpgsql as $$
      begin if new.status = 'running' and new.user_id = '${users.dee}' then return null; end if; return new; end $$`)
    .execute(db);
  await sql.raw(`create trigger bulk_test_block_running before update on exports for each row execute function bulk_test_block_running()`).execute(db);

  harness = await startRealWorker({ TEMPORAL_TASK_QUEUE: queue });
  running = harness.run(() => new Promise<void>((resolve) => (stop = resolve)));
}, 300_000);

let stop: () => void = () => {};

afterAll(async () => {
  stop();
  await running?.catch(() => {});
  await harness?.close();
  await sql`drop trigger if exists bulk_test_block_running on exports`.execute(db);
  await sql`drop function if exists bulk_test_block_running()`.execute(db);
  resetTemporalClient();
  process.env.TEMPORAL_TASK_QUEUE = saved.queue;
  process.env.BULK_EXPORT_BATCH_SIZE = saved.batch;
  process.env.BULK_EXPORT_CONCURRENCY = saved.concurrency;
  await db.destroy();
}, 60_000);

const handleOf = (bulk: BulkExportDto): WorkflowHandle => harness.client.workflow.getHandle(bulk.workflowId);

async function waitForEnding(id: string, timeout = 90_000): Promise<BulkExportDto> {
  let bulk = await getBulkExport(scope, id);
  const until = Date.now() + timeout;
  while (bulk.status === 'queued' || bulk.status === 'running') {
    if (Date.now() > until) throw new Error(`bulk ${id} still ${bulk.status}: ${JSON.stringify(bulk.progress)}`);
    await new Promise((r) => setTimeout(r, 250));
    bulk = await getBulkExport(scope, id);
  }
  return bulk;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('bulk export', () => {
  it("exports the selected users into one ZIP: a folder per user holding that user's export files byte for byte, and a manifest", async () => {
    const selected = [users.ann!, users.bob!, users.cid!];
    const requested = await requestBulkExport(scope, admin, { userIds: selected });
    expect(requested).toMatchObject({ status: expect.stringMatching(/queued|running/), all: false, format: 'csv', progress: { usersTotal: 3, usersDone: 0 } });

    const bulk = await waitForEnding(requested.id);
    expect(bulk).toMatchObject({ status: 'completed', failures: [], progress: { usersTotal: 3, usersDone: 3, usersFailed: 0, rowsDone: 28, rowsTotal: 28 } });
    // Three users in batches of two: the first run continued as new, the second wrote the ZIP.
    expect(await handleOf(bulk).result()).toEqual({ status: 'completed', runs: 2 });
    const described = await handleOf(bulk).describe();
    expect(described.status.name).toBe('COMPLETED');
    expect(described.typedSearchAttributes.get(exportTenantKey)).toBe(scope.tenantId);
    expect(described.typedSearchAttributes.get(exportEnvironmentKey)).toBe(scope.environmentId);
    expect(described.typedSearchAttributes.get(exportStatusKey)).toBe('completed');

    const children = await db
      .selectFrom('exports')
      .selectAll()
      .where('bulk_export_id', '=', bulk.id)
      .where('tenant_id', '=', scope.tenantId)
      .orderBy('user_id')
      .execute();
    expect(children.map((c) => c.status)).toEqual(['completed', 'completed', 'completed']);
    expect(children.map((c) => c.user_id).sort()).toEqual([...selected].sort());

    const row = await db.selectFrom('bulk_exports').selectAll().where('id', '=', bulk.id).executeTakeFirstOrThrow();
    const zipBytes = await getObjectBytes(harness.s3, harness.env.S3_BUCKET, row.object_key!);
    expect(zipBytes.length).toBe(bulk.bytes);
    expect(sha256(zipBytes)).toBe(bulk.sha256);
    expect(row.object_key).toMatch(new RegExp(`^bulk-exports/${scope.tenantId}/${scope.environmentId}/${bulk.id}/`));
    const files = await readZip(zipBytes);
    expect([...files.keys()].sort()).toEqual(
      [
        bulkManifestName,
        ...['ann', 'bob', 'cid'].flatMap((n) => ['profile.csv', 'events.csv', 'manifest.json'].map((f) => `${n}@bulk-${suffix}.test/${f}`)),
      ].sort(),
    );
    // Each folder holds exactly the files of that user's own export (its child's ZIP).
    for (const child of children) {
      const email = Object.entries(users).find(([, id]) => id === child.user_id)![0];
      const single = await readZip(await getObjectBytes(harness.s3, harness.env.S3_BUCKET, child.object_key!));
      for (const [name, bytes] of single) expect(files.get(`${email}@bulk-${suffix}.test/${name}`)?.equals(bytes), `${email}/${name}`).toBe(true);
    }
    const manifest = parseBulkManifest(files.get(bulkManifestName)!);
    expect(manifest).toMatchObject({
      formatVersion: 1,
      kind: 'bulk',
      bulkExportId: bulk.id,
      tenant: { id: scope.tenantId },
      environment: { id: scope.environmentId },
      options: { format: 'csv', range: null },
      failures: [],
    });
    expect(manifest.users.map((u: { userId: string }) => u.userId).sort()).toEqual([...selected].sort());
    for (const u of manifest.users) {
      const child = children.find((c) => c.user_id === u.userId)!;
      expect(u).toMatchObject({ exportId: child.id, rows: child.rows_exported, sha256: child.sha256, files: ['profile.csv', 'events.csv', 'manifest.json'] });
    }

    // A single export of the same user, requested afterwards, has the same profile and events bytes.
    const { export: single } = await requestExport(scope, otherAdmin, users.cid!);
    await expect
      .poll(async () => (await db.selectFrom('exports').select('status').where('id', '=', single.id).executeTakeFirstOrThrow()).status, { timeout: 30_000 })
      .toBe('completed');
    const singleRow = await db.selectFrom('exports').select('object_key').where('id', '=', single.id).executeTakeFirstOrThrow();
    const singleFiles = await readZip(await getObjectBytes(harness.s3, harness.env.S3_BUCKET, singleRow.object_key!));
    expect(files.get(`cid@bulk-${suffix}.test/events.csv`)?.equals(singleFiles.get('events.csv')!)).toBe(true);
    expect(files.get(`cid@bulk-${suffix}.test/profile.csv`)?.equals(singleFiles.get('profile.csv')!)).toBe(true);

    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('tenant_id', '=', scope.tenantId)
      .where('action', '=', 'bulk.requested')
      .execute();
    expect(audit.map((a) => a.details)).toContainEqual(expect.objectContaining({ bulkExportId: bulk.id, users: 3, all: false, format: 'csv' }));
    // The download: a presigned link to exactly these bytes, audited.
    const url = await bulkDownloadUrl(scope, admin, bulk.id);
    expect(url).toContain('X-Amz-Signature=');
    expect(url).not.toContain('@');
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(zipBytes)).toBe(true);
    const downloads = await db
      .selectFrom('audit_log')
      .select('details')
      .where('tenant_id', '=', scope.tenantId)
      .where('action', '=', 'bulk.downloaded')
      .execute();
    expect(downloads.map((d) => d.details)).toEqual([{ bulkExportId: bulk.id }]);
    completedBulk = bulk;
  });

  it('retention deletes a bulk ZIP past expiresAt: the object goes, the row is expired and audited, the download is 410', async () => {
    const bulk = completedBulk!;
    const key = (await db.selectFrom('bulk_exports').select('object_key').where('id', '=', bulk.id).executeTakeFirstOrThrow()).object_key!;
    await db
      .updateTable('bulk_exports')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', bulk.id)
      .execute();
    const report = await sweepExpiredExports({ db: harness.db, s3: harness.s3, bucket: harness.env.S3_BUCKET }, { batchSize: 50 });
    expect(report.expiredBulks).toContain(bulk.id);
    expect(await objectSize(harness.s3, harness.env.S3_BUCKET, key)).toBeNull();
    expect(await getBulkExport(scope, bulk.id)).toMatchObject({ status: 'expired', bytes: bulk.bytes, sha256: bulk.sha256 });
    await expect(bulkDownloadUrl(scope, admin, bulk.id)).rejects.toMatchObject({ code: 'gone' });
    const audit = await db
      .selectFrom('audit_log')
      .select(['admin_id', 'details'])
      .where('tenant_id', '=', scope.tenantId)
      .where('action', '=', 'bulk.expired')
      .execute();
    expect(audit).toEqual([{ admin_id: null, details: expect.objectContaining({ bulkExportId: bulk.id, objectsDeleted: 1 }) }]);
  });

  it('lists a user whose export failed, with its summary, and completes the others', async () => {
    const requested = await requestBulkExport(scope, admin, { userIds: [users.ann!, users.dee!, users.fay!], format: 'jsonl' });
    const bulk = await waitForEnding(requested.id);
    expect(bulk).toMatchObject({ status: 'completed', format: 'jsonl', progress: { usersTotal: 3, usersDone: 2, usersFailed: 1 } });
    expect(bulk.failures).toEqual([
      {
        userId: users.dee,
        userEmail: `dee@bulk-${suffix}.test`,
        exportId: expect.any(String),
        summary: expect.stringMatching(/^The export failed because the user or the export no longer exists/),
      },
    ]);
    const failedChild = await db
      .selectFrom('exports')
      .select(['status', 'workflow_id'])
      .where('id', '=', bulk.failures[0]!.exportId!)
      .executeTakeFirstOrThrow();
    expect(failedChild.status).toBe('failed');
    expect((await harness.client.workflow.getHandle(failedChild.workflow_id).describe()).status.name).toBe('FAILED');
    // The row ends in the parent's last activity, a moment before the parent itself closes.
    await expect.poll(async () => (await handleOf(bulk).describe()).status.name, { timeout: 30_000 }).toBe('COMPLETED');

    const row = await db.selectFrom('bulk_exports').select('object_key').where('id', '=', bulk.id).executeTakeFirstOrThrow();
    const files = await readZip(await getObjectBytes(harness.s3, harness.env.S3_BUCKET, row.object_key!));
    expect([...files.keys()].filter((k) => k.startsWith('dee@'))).toEqual([]);
    expect(files.has(`fay@bulk-${suffix}.test/events.jsonl`)).toBe(true);
    const manifest = parseBulkManifest(files.get(bulkManifestName)!);
    expect(manifest.failures).toEqual([
      { userId: users.dee, email: `dee@bulk-${suffix}.test`, exportId: bulk.failures[0]!.exportId, summary: bulk.failures[0]!.summary },
    ]);
    expect(manifest.options).toEqual({ format: 'jsonl', range: null });
  });

  it('cancelling reaches every running child: they end Canceled with their rows cancelled, the rest never start, the parent ends Canceled', async () => {
    const requested = await requestBulkExport(scope, admin, { userIds: [users['aa-big1']!, users['aa-big2']!, users.ann!, users.bob!] });
    // Both big users (positions 1 and 2, concurrency 2) are streaming rows.
    await expect
      .poll(
        async () =>
          (await db.selectFrom('exports').select(['status', 'rows_exported']).where('bulk_export_id', '=', requested.id).execute()).filter(
            (e) => e.status === 'running' && e.rows_exported > 0,
          ).length,
        { timeout: 60_000, interval: 100 },
      )
      .toBe(2);
    await expect(bulkDownloadUrl(scope, admin, requested.id)).rejects.toMatchObject({ code: 'conflict' });
    const cancelling = await cancelBulkExport(scope, admin, requested.id);
    expect(cancelling.status).toBe('running');

    const bulk = await waitForEnding(requested.id);
    // By email: the two big users (running), ann and bob (never started).
    expect(bulk).toMatchObject({ status: 'cancelled', bytes: null, progress: { usersTotal: 4, usersDone: 0, usersFailed: 0, usersCancelled: 4 } });
    await expect.poll(async () => (await handleOf(bulk).describe()).status.name, { timeout: 30_000 }).toBe('CANCELLED');
    const children = await db
      .selectFrom('exports')
      .select(['status', 'workflow_id', 'object_key'])
      .where('bulk_export_id', '=', bulk.id)
      .where('user_id', 'in', [users['aa-big1']!, users['aa-big2']!])
      .execute();
    expect(children.map((c) => c.status)).toEqual(['cancelled', 'cancelled']);
    const started = await db.selectFrom('exports').select('user_id').where('bulk_export_id', '=', bulk.id).execute();
    expect(started).toHaveLength(2);
    for (const child of children) {
      expect((await harness.client.workflow.getHandle(child.workflow_id).describe()).status.name).toBe('CANCELLED');
      expect(child.object_key).toBeNull();
    }
    await expect(cancelBulkExport(scope, admin, bulk.id)).rejects.toMatchObject({ code: 'conflict' });
    const audit = await db.selectFrom('audit_log').select('details').where('tenant_id', '=', scope.tenantId).where('action', '=', 'bulk.cancelled').execute();
    expect(audit.map((a) => a.details)).toContainEqual({ bulkExportId: bulk.id });
  });

  it('refuses a user of another tenant with 404 through the route, and starts nothing', async () => {
    const before = await db
      .selectFrom('bulk_exports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', scope.tenantId)
      .executeTakeFirstOrThrow();
    const post = async (body: unknown) => {
      const request = new NextRequest('http://localhost/api/bulk-exports', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const response = await postBulk(request, { params: Promise.resolve({}) });
      return { status: response.status, body: await response.json() };
    };
    const foreign = await post({ userIds: [users.ann, otherTenantUser] });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toMatchObject({ code: 'not_found', hint: expect.stringMatching(/environment/) });
    expect(JSON.stringify(foreign.body)).not.toContain(otherTenantUser);

    expect((await post({ userIds: [users.ann], all: true })).status).toBe(400);
    expect((await post({ userIds: [] })).status).toBe(400);
    expect((await post({ userIds: [users.ann, users.ann] })).body.error.message).toMatch(/repeat/);
    expect((await post({})).body.error.message).toMatch(/exactly one of userIds/);
    // 1000 ids (~39 KB, over the 16 KiB other routes take) are read and checked: unknown ones are a 404.
    const thousand = Array.from({ length: 1000 }, () => randomUUID());
    expect((await post({ userIds: thousand })).status).toBe(404);
    expect((await post({ userIds: [...thousand, randomUUID()] })).body.error.message).toMatch(/at most 1000 users/);
    expect((await post({ userIds: thousand, padding: 'x'.repeat(70_000) })).status).toBe(413);

    const after = await db
      .selectFrom('bulk_exports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', scope.tenantId)
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const foreignExports = await db.selectFrom('exports').select('id').where('user_id', '=', otherTenantUser).execute();
    expect(foreignExports).toEqual([]);
    // Nor can the other tenant see this tenant's bulk exports.
    const mine = await db.selectFrom('bulk_exports').select('id').where('tenant_id', '=', scope.tenantId).limit(1).executeTakeFirstOrThrow();
    await expect(getBulkExport(otherScope, mine.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
