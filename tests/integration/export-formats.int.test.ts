import { createHash, randomUUID } from 'node:crypto';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, dbFromPool, type Db } from '../../lib/db/client';
import { sharedEnv } from '../../lib/env';
import { exportManifestName, parseExportManifest } from '../../lib/exports/archive/manifest';
import type { ExportFormatName, UserExportResult } from '../../lib/exports/export.contracts';
import { countUserEvents } from '../../lib/exports/export-context.repository';
import { runExport } from '../../lib/exports/export-runner';
import { createS3Client } from '../../lib/storage/s3';
import { getObjectBytes } from '../support/export-fixtures';
import { saveHistory } from '../support/histories';
import { startRealWorker } from '../support/worker';
import { readZip } from '../support/zip';

/**
 * Export formats and ranges on the real COPY → ZIP → S3 path. The `csv` format's bytes are pinned: a fixed user and fixed events (fixed ids, times,
 * hostile text, formula triggers, nested JSON) exported through the real COPY → ZIP path.
 * The hashes were computed from the code before the format seam existed, so a refactor that
 * changes one byte of events.csv or profile.csv fails here.
 */
const env = sharedEnv();
const pool = createPool(env.DATABASE_URL, 2);
const db: Db = dbFromPool(pool);
const s3 = createS3Client(env);
const deps = { db, pool, s3, bucket: env.S3_BUCKET };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const userId = '1d0c3a52-9f1e-4c1b-8a7e-0000000000a1';
const fixtureEvents: [id: string, type: string, occurredAt: string, properties: string][] = [
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e1', 'page.view', '2026-01-02T03:04:05.123456Z', '{"path": "/home", "n": 1}'],
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e2', "=cmd|' /C calc'!A0", '2026-01-02T03:04:05.123Z', '{"=k": "+v", "q": "a \\"quoted\\" word"}'],
  [
    '1d0c3a52-9f1e-4c1b-8a7e-0000000000e3',
    'comma,and "quote"\nnewline\r\nCRLF',
    '2026-02-28T23:59:59.999Z',
    '{"nested": {"a": [1, 2.5, null, true]}, "uni": "🎉 שלום é"}',
  ],
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e4', '-1', '2026-03-01T00:00:00Z', '{}'],
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e5', '@SUM(1)', '2026-03-01T00:00:00Z', '"=string json"'],
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e6', '\tTab', '2026-12-31T12:00:00.5+02:00', '{"back\\\\slash": "\\u0007\\n"}'],
];

const pinnedCsv = {
  profile: '14fa63098e568fe5f21bbea1965804e7aab9b5391583aa9b3d9bb32de726b92e',
  events: '653d645722ff10f142be1caea26391227f7b911956b951b23d8c30c8c534e8a2',
};

let scope: { tenantId: string; environmentId: string };
const objectKeys: string[] = [];

async function removeFixture(): Promise<void> {
  await sql`delete from users where id = ${userId}`.execute(db);
}

beforeAll(async () => {
  const { rows } = await sql<{
    id: string;
    tenant_id: string;
  }>`select e.id, e.tenant_id from environments e join tenants t on t.id = e.tenant_id where t.slug = 'acme' and e.slug = 'sandbox'`.execute(db);
  scope = { tenantId: rows[0]!.tenant_id, environmentId: rows[0]!.id };
  await removeFixture();
  await sql`insert into users (id, tenant_id, environment_id, email, name, created_at, last_login_at)
    values (${userId}, ${scope.tenantId}, ${scope.environmentId}, ${'=pinned@example.test'}, ${'Pinned, "Fixture"\nUser'}, '2025-06-07T08:09:10.011Z', null)`.execute(
    db,
  );
  for (const [id, type, occurredAt, properties] of fixtureEvents) {
    await sql`insert into events (id, tenant_id, environment_id, user_id, type, occurred_at, properties)
      values (${id}, ${scope.tenantId}, ${scope.environmentId}, ${userId}, ${type}, ${occurredAt}::timestamptz, ${properties}::jsonb)`.execute(db);
  }
});

afterAll(async () => {
  for (const key of objectKeys) await s3.send(new DeleteObjectCommand({ Bucket: env.S3_BUCKET, Key: key })).catch(() => {});
  await removeFixture();
  await pool.end();
});

async function exportFiles(options: { format?: ExportFormatName; from?: string; to?: string } = {}) {
  const result = await runExport(deps, { exportId: randomUUID(), userId, ...scope, ...options });
  objectKeys.push(result.objectKey);
  const files = await readZip(await getObjectBytes(s3, env.S3_BUCKET, result.objectKey));
  const manifest = parseExportManifest(files.get(exportManifestName)!);
  return { result, files, manifest };
}

describe('csv format bytes', () => {
  it('writes events.csv and profile.csv byte for byte as before the format seam', async () => {
    const { files } = await exportFiles();
    expect({ profile: sha256(files.get('profile.csv')!), events: sha256(files.get('events.csv')!) }).toEqual(pinnedCsv);
  });

  it('writes the same bytes when csv is asked for by name, and records it in the manifest', async () => {
    const { files, manifest } = await exportFiles({ format: 'csv' });
    expect({ profile: sha256(files.get('profile.csv')!), events: sha256(files.get('events.csv')!) }).toEqual(pinnedCsv);
    expect(manifest).toMatchObject({ formatVersion: 1, format: 'csv', range: null, formatDetails: { bom: false, formulaGuard: true } });
  });
});

const bom = Buffer.from([0xef, 0xbb, 0xbf]);

describe('csv-excel format', () => {
  it('is the csv bytes after a UTF-8 BOM, in both files, with the manifest hashing the BOM too', async () => {
    const { files, manifest, result } = await exportFiles({ format: 'csv-excel' });
    expect([...files.keys()]).toEqual(['profile.csv', 'events.csv', 'manifest.json']);
    for (const name of ['profile.csv', 'events.csv'] as const) {
      const bytes = files.get(name)!;
      expect(bytes.subarray(0, 3)).toEqual(bom);
      expect(sha256(bytes.subarray(3))).toBe(name === 'profile.csv' ? pinnedCsv.profile : pinnedCsv.events);
      expect(manifest.files.find((f) => f.name === name)?.sha256).toBe(sha256(bytes));
    }
    expect(result.rows).toBe(fixtureEvents.length);
    expect(manifest).toMatchObject({ format: 'csv-excel', formatDetails: { bom: true } });
  });
});

/** The fixture's events in export order, as the database holds them. */
async function eventsInDatabase(range: { from?: string; to?: string } = {}) {
  const { rows } = await sql<{ id: string; type: string; occurred_at: string; properties: unknown }>`
    select e.id, e.type, to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at, e.properties
    from events e where e.user_id = ${userId}
      and e.occurred_at >= coalesce(${range.from ?? null}::timestamptz, '-infinity') and e.occurred_at < coalesce(${range.to ?? null}::timestamptz, 'infinity')
    order by e.occurred_at, e.id`.execute(db);
  return rows.map((r) => ({ event_id: r.id, type: r.type, occurred_at: r.occurred_at, properties: r.properties }));
}

function parseLines(bytes: Buffer): unknown[] {
  const text = bytes.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('jsonl format', () => {
  it("writes one JSON object per event, fields in the CSV columns' order, values unguarded, properties as JSON", async () => {
    const { files, manifest, result } = await exportFiles({ format: 'jsonl' });
    expect([...files.keys()]).toEqual(['profile.jsonl', 'events.jsonl', 'manifest.json']);
    const events = parseLines(files.get('events.jsonl')!) as Record<string, unknown>[];
    for (const event of events) expect(Object.keys(event)).toEqual(['event_id', 'type', 'occurred_at', 'properties']);
    expect(events).toEqual(await eventsInDatabase());
    // No formula guard: JSON has no formulas, and the value stays the database's.
    expect(events[0]!.type).toBe("=cmd|' /C calc'!A0");
    expect(result.rows).toBe(fixtureEvents.length);

    const [profile] = parseLines(files.get('profile.jsonl')!) as Record<string, unknown>[];
    expect(profile).toEqual({
      user_id: userId,
      email: '=pinned@example.test',
      name: 'Pinned, "Fixture"\nUser',
      created_at: '2025-06-07T08:09:10.011Z',
      last_login_at: null,
    });
    expect(Object.keys(profile!)).toEqual(['user_id', 'email', 'name', 'created_at', 'last_login_at']);

    expect(manifest).toMatchObject({ format: 'jsonl', range: null });
    expect(manifest.files).toEqual([
      { name: 'profile.jsonl', rows: 1, sha256: sha256(files.get('profile.jsonl')!) },
      { name: 'events.jsonl', rows: fixtureEvents.length, sha256: sha256(files.get('events.jsonl')!) },
    ]);
  });

  it('keeps backslashes, quotes and control characters exactly (COPY text format would double the backslashes)', async () => {
    const { files } = await exportFiles({ format: 'jsonl' });
    const text = files.get('events.jsonl')!.toString('utf8');
    expect(text).toContain('"back\\\\slash": "\\u0007\\n"');
    expect(text).toContain('"q": "a \\"quoted\\" word"');
  });
});

describe('a range', () => {
  // Inclusive from: the event at exactly .123 is in; exclusive to: the two at exactly 2026-03-01 are out.
  const range = { from: '2026-01-02T03:04:05.123Z', to: '2026-03-01T00:00:00.000Z' };

  it('exports only events with from ≤ occurred_at < to, and the manifest records the range', async () => {
    const { files, manifest, result } = await exportFiles({ format: 'jsonl', ...range });
    const events = parseLines(files.get('events.jsonl')!) as { event_id: string }[];
    expect(events.map((e) => e.event_id.slice(-2))).toEqual(['e2', 'e1', 'e3']);
    expect(events).toEqual(await eventsInDatabase(range));
    expect(result.rows).toBe(3);
    expect(manifest.range).toEqual(range);
  });

  it('bounds csv the same way, and an open-ended range too', async () => {
    const { files } = await exportFiles({ format: 'csv', from: '2026-03-01T00:00:00Z' });
    const lines = files.get('events.csv')!.toString('utf8').trim().split('\n');
    expect(lines.map((l) => l.slice(0, 36).slice(-2)).slice(1)).toEqual(['e4', 'e5', 'e6']);
  });

  it('counts the range for the progress total', async () => {
    expect(await countUserEvents(db, { userId, ...scope, ...range })).toBe(3);
    expect(await countUserEvents(db, { userId, ...scope, to: '2026-01-01T00:00:00Z' })).toBe(0);
  });

  it("runs through the real workflow from its input: the row gets the range's total and a jsonl file", async () => {
    const harness = await startRealWorker();
    try {
      const exportId = randomUUID();
      const adminId = (await sql<{ id: string }>`select id from admins where tenant_id = ${scope.tenantId} and role = 'admin' limit 1`.execute(db)).rows[0]!.id;
      await harness.db
        .insertInto('exports')
        .values({
          id: exportId,
          tenant_id: scope.tenantId,
          environment_id: scope.environmentId,
          user_id: userId,
          requested_by: adminId,
          workflow_id: `user-export-${exportId}`,
          status: 'queued',
          format: 'jsonl',
          range_from: range.from,
          range_to: range.to,
        })
        .execute();
      const result = (await harness.run(() =>
        harness.client.workflow.execute('UserExportWorkflow', {
          taskQueue: harness.env.TEMPORAL_TASK_QUEUE,
          workflowId: `user-export-${exportId}`,
          args: [{ exportId, userId, ...scope, format: 'jsonl', ...range }],
        }),
      )) as UserExportResult;
      expect(result.status).toBe('completed');
      // A history with options in its input, for the replay test (CAPTURE_HISTORIES=1).
      await saveHistory(harness.client, `user-export-${exportId}`, 'completed-jsonl-range');
      const row = await harness.db.selectFrom('exports').selectAll().where('id', '=', exportId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'completed', rows_total: 3, rows_exported: 3, format: 'jsonl' });
      objectKeys.push(row.object_key!);
      const files = await readZip(await getObjectBytes(s3, env.S3_BUCKET, row.object_key!));
      expect(parseLines(files.get('events.jsonl')!)).toEqual(await eventsInDatabase(range));
      await sql`delete from exports where id = ${exportId}`.execute(db);
    } finally {
      await harness.close();
    }
  });
});
