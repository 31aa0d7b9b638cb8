import { createHash } from 'node:crypto';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportManifestName, parseExportManifest } from '../../lib/exports/archive/manifest';
import type { UserExportResult } from '../../lib/exports/export.contracts';
import { guardFormula } from '../../lib/exports/formats/csv/csv-guard';
import { createS3Client } from '../../lib/storage/s3';
import { getObjectBytes, insertQueuedExport, pickSeededUser } from '../support/export-fixtures';
import { startRealWorker, type RealWorkerHarness } from '../support/worker';
import { readZip } from '../support/zip';
import { saveHistory } from '../support/histories';

let harness: RealWorkerHarness;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  harness = await startRealWorker();
});
afterAll(async () => {
  await harness?.close();
});

describe('user export through a real worker, Postgres and S3', () => {
  it("writes a ZIP whose events.csv equals the user's events in the database", async () => {
    const user = await pickSeededUser(harness.db, 1000, 6000);
    const input = await insertQueuedExport(harness.db, user);
    const result = (await harness.run(() =>
      harness.client.workflow.execute('UserExportWorkflow', {
        taskQueue: harness.env.TEMPORAL_TASK_QUEUE,
        workflowId: `user-export-${input.exportId}`,
        args: [input],
      }),
    )) as UserExportResult;
    expect(result.status).toBe('completed');
    if (result.status !== 'completed') return;
    await saveHistory(harness.client, `user-export-${input.exportId}`, 'completed-real-export');

    const row = await harness.db.selectFrom('exports').selectAll().where('id', '=', input.exportId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'completed', rows_exported: user.events, rows_total: user.events });
    // The file's facts are on the row only; Temporal's result carries none of them.
    expect(result).not.toHaveProperty('objectKey');
    expect((await harness.client.workflow.getHandle(`user-export-${input.exportId}`).describe()).status.name).toBe('COMPLETED');
    // Per attempt under the export's own prefix (export-file-name.ts).
    expect(row.object_key).toMatch(new RegExp(`^exports/${user.tenant_id}/${user.environment_id}/${input.exportId}/1-[0-9a-f]{8}\\.zip$`));
    expect(row.file_name).toMatch(new RegExp(`^acme|globex-(production|sandbox)-${user.id}-\\d{8}T\\d{6}Z\\.zip$`));
    expect(row.expires_at!.getTime()).toBeGreaterThan(Date.now());

    const s3 = createS3Client(harness.env);
    const zipBytes = await getObjectBytes(s3, harness.env.S3_BUCKET, row.object_key!);
    expect(zipBytes.length).toBe(row.bytes);
    expect(sha256(zipBytes)).toBe(row.sha256);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: harness.env.S3_BUCKET, Prefix: row.object_key! }));
    expect(uploads.Uploads ?? []).toEqual([]);
    s3.destroy();

    const files = await readZip(zipBytes);
    expect([...files.keys()]).toEqual(['profile.csv', 'events.csv', 'manifest.json']);
    const eventsCsv = files.get('events.csv')!.toString('utf8');
    const records = parse(eventsCsv, { columns: true }) as { event_id: string; type: string; occurred_at: string; properties: string }[];
    expect(eventsCsv.startsWith('event_id,type,occurred_at,properties\n')).toBe(true);

    const dbEvents = await harness.db
      .selectFrom('events')
      .select(['id', 'type', 'occurred_at', 'properties'])
      .where('tenant_id', '=', user.tenant_id)
      .where('environment_id', '=', user.environment_id)
      .where('user_id', '=', user.id)
      .orderBy('occurred_at')
      .orderBy('id')
      .execute();
    expect(records.length).toBe(dbEvents.length);
    records.forEach((record, i) => {
      const event = dbEvents[i]!;
      expect(record.event_id).toBe(event.id);
      expect(record.type).toBe(guardFormula(event.type));
      expect(record.occurred_at).toBe(event.occurred_at.toISOString());
      expect(JSON.parse(record.properties)).toEqual(event.properties);
    });

    const profile = parse(files.get('profile.csv')!, { columns: true }) as Record<string, string>[];
    expect(profile).toEqual([expect.objectContaining({ user_id: user.id, email: user.email })]);

    const manifest = parseExportManifest(files.get(exportManifestName)!);
    expect(manifest).toMatchObject({ formatVersion: 1, userId: user.id, tenant: { id: user.tenant_id }, environment: { id: user.environment_id } });
    expect(manifest.files).toEqual([
      { name: 'profile.csv', rows: 1, sha256: sha256(files.get('profile.csv')!) },
      { name: 'events.csv', rows: dbEvents.length, sha256: sha256(files.get('events.csv')!) },
    ]);
  });
});
