import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../lib/db/client';
import { parseEnv, sharedEnvSchema } from '../../lib/env';
import type { UserExportResult } from '../../lib/exports/export.contracts';
import { exportSearchAttributeKeys, exportStartSearchAttributes } from '../../lib/temporal/search-attributes';
import { prepareDatabase } from '../../scripts/lib/app-env';
import { findFreeStackPorts, type Stack, type StackPorts, startStack } from '../../scripts/stack/index';
import { processesMentioning } from '../support/child-processes';
import { insertQueuedExport, pickSeededUser } from '../support/export-fixtures';
import { startRealWorker } from '../support/worker';

/**
 * The stack's second Temporal profile: the real server (frontend, history, matching and
 * worker services) with persistence and visibility on the stack's Postgres. A real export
 * runs through it, is found by its search attributes (SQL visibility), survives a server
 * restart, and a second start on the same data finds the schema and namespace in place.
 */
let dataDir: string;
let ports: StackPorts;
let stack: Stack | undefined;
let db: Db;
const logs: string[] = [];

// The test run's own stack must not leak in: every service here is this stack's.
const bareEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|TEMPORAL_|S3_|SMTP_URL|EMBEDDED_)/.test(key)));

const start = () => startStack({ dataDir, ports, env: bareEnv, temporal: 'server', log: (line) => logs.push(line) });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'export-console-temporal-server-'));
  ports = await findFreeStackPorts();
  stack = await start();
  await prepareDatabase(stack.env.DATABASE_URL!, { seedDemo: true });
  db = createDb(stack.env.DATABASE_URL!, 2);
}, 600_000);

afterAll(async () => {
  await db?.destroy();
  await stack?.stop();
  if (dataDir) {
    expect(processesMentioning(dataDir)).toEqual([]);
    await rm(dataDir, { recursive: true, force: true });
  }
});

/** A client of this stack's Temporal, closed after `fn`. */
async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: stack!.env.TEMPORAL_ADDRESS!, connectTimeout: '5s' });
  try {
    return await fn(new Client({ connection, namespace: stack!.env.TEMPORAL_NAMESPACE }));
  } finally {
    await connection.close();
  }
}

async function workflowIdsOfTenant(tenantId: string): Promise<string[]> {
  return withClient(async (client) => {
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query: `ExportTenant = '${tenantId}' AND ExportStatus = 'completed'` })) ids.push(wf.workflowId);
    return ids;
  });
}

let exported: { workflowId: string; tenantId: string } | undefined;

describe('the stack with the real Temporal server (temporal: server)', () => {
  it('starts the server on the stack’s Postgres in databases of its own, without a Web UI', async () => {
    expect(stack!.temporalProfile).toBe('server');
    expect(stack!.env.TEMPORAL_ADDRESS).toBe(`127.0.0.1:${ports.temporal}`);
    expect(stack!.env.TEMPORAL_UI_URL).toBeUndefined();
    expect(stack!.urls.temporalUi).toBeUndefined();
    expect(processesMentioning(dataDir).some((line) => line.includes('temporal-server/config.yaml'))).toBe(true);
    const { rows } = await sql<{ datname: string }>`select datname from pg_database where datname like 'temporal%' order by 1`.execute(db);
    expect(rows.map((r) => r.datname)).toEqual(['temporal', 'temporal_visibility']);
    const attributes = await withClient((client) => client.connection.operatorService.listSearchAttributes({ namespace: 'default' }));
    for (const key of exportSearchAttributeKeys) expect(attributes.customAttributes?.[key.name]).toBeDefined();
  });

  it('runs a real export through the production worker; the run is found by its ExportTenant search attribute', async () => {
    const env = parseEnv(sharedEnvSchema, { ...bareEnv, ...stack!.env });
    const harness = await startRealWorker(env);
    try {
      const user = await pickSeededUser(harness.db, 10, 2000);
      const input = await insertQueuedExport(harness.db, user);
      const workflowId = `user-export-${input.exportId}`;
      const result = (await harness.run(() =>
        harness.client.workflow.execute('UserExportWorkflow', {
          taskQueue: harness.env.TEMPORAL_TASK_QUEUE,
          workflowId,
          args: [input],
          typedSearchAttributes: exportStartSearchAttributes(input),
        }),
      )) as UserExportResult;

      expect(result.status).toBe('completed');
      const row = await harness.db.selectFrom('exports').selectAll().where('id', '=', input.exportId).executeTakeFirstOrThrow();
      expect(row.status).toBe('completed');
      expect(row.object_key).toBeTruthy();
      // Visibility is written by the server after the run closes: poll for it.
      await expect.poll(() => workflowIdsOfTenant(input.tenantId), { timeout: 30_000, interval: 500 }).toEqual([workflowId]);
      exported = { workflowId, tenantId: input.tenantId };
    } finally {
      await harness.close();
    }
  });

  it('restarts the server on the same port and data: the finished run is still there', async () => {
    expect(exported).toBeDefined();
    const before = processesMentioning(dataDir).filter((line) => line.includes('temporal-server/config.yaml'));
    await stack!.temporal!.stop();
    expect(processesMentioning(dataDir).filter((line) => line.includes('temporal-server/config.yaml'))).toEqual([]);
    await stack!.temporal!.start();

    const after = processesMentioning(dataDir).filter((line) => line.includes('temporal-server/config.yaml'));
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    const status = await withClient(async (client) => (await client.workflow.getHandle(exported!.workflowId).describe()).status.name);
    expect(status).toBe('COMPLETED');
    expect(await workflowIdsOfTenant(exported!.tenantId)).toEqual([exported!.workflowId]);
  });

  it('a second stack start on the same data dir finds the schema and the namespace in place', async () => {
    await stack!.stop();
    stack = undefined;
    logs.length = 0;
    stack = await start();

    expect(logs.join('\n')).not.toContain('creating the temporal');
    expect(await workflowIdsOfTenant(exported!.tenantId)).toEqual([exported!.workflowId]);
  });
});
