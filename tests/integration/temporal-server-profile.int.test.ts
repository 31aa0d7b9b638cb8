import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../lib/db/client';
import { insertGeneratedEvents } from '../../lib/db/seed-events';
import { parseEnv, sharedEnvSchema } from '../../lib/env';
import type { UserExportResult } from '../../lib/exports/export.contracts';
import { exportSearchAttributeKeys, exportStartSearchAttributes } from '../../lib/temporal/search-attributes';
import { prepareDatabase } from '../../scripts/lib/app-env';
import { resolveTool } from '../../scripts/stack/binaries';
import { isPortFree } from '../../scripts/stack/ports';
import { findFreeStackPorts, type Stack, type StackPorts, startStack } from '../../scripts/stack/index';
import { processesMentioning } from '../support/child-processes';
import { insertQueuedExport } from '../support/export-fixtures';
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

const start = () => startStack({ dataDir, ports, env: bareEnv, temporal: 'server', durable: false, log: (line) => logs.push(line) });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'export-console-temporal-server-'));
  ports = await findFreeStackPorts();
  stack = await start();
  // Migrations and one small tenant: the demo seed's half a million events would only add minutes.
  await prepareDatabase(stack.env.DATABASE_URL!, { seedDemo: false });
  db = createDb(stack.env.DATABASE_URL!, 2);
}, 600_000);

/** A tenant with one environment, admin and user with a few events, as the export needs them. */
async function smallTenant() {
  const slug = `t-${randomUUID().slice(0, 8)}`;
  const tenant = await db.insertInto('tenants').values({ slug, name: slug }).returning('id').executeTakeFirstOrThrow();
  const environment = await db
    .insertInto('environments')
    .values({ tenant_id: tenant.id, slug: 'production', name: 'Production' })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Never signs in: any hash will do.
  const admin = await db
    .insertInto('admins')
    .values({ tenant_id: tenant.id, email: `admin@${slug}.test`, name: 'Admin', role: 'admin', password_hash: 'unused' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const user = await db
    .insertInto('users')
    .values({ tenant_id: tenant.id, environment_id: environment.id, email: `user@${slug}.test`, name: 'User' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertGeneratedEvents(db, { tenantId: tenant.id, environmentId: environment.id, userId: user.id }, 50, '2026-01-01T00:00:00Z');
  return { id: user.id, tenant_id: tenant.id, environment_id: environment.id, admin_id: admin.id, email: `user@${slug}.test`, events: 50 };
}

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
    // The generated config holds the Postgres password.
    expect((await stat(path.join(dataDir, 'temporal-server', 'config.yaml'))).mode & 0o777).toBe(0o600);
    const { rows } = await sql<{ datname: string }>`select datname from pg_database where datname like 'temporal%' order by 1`.execute(db);
    expect(rows.map((r) => r.datname)).toEqual(['temporal', 'temporal_visibility']);
    const attributes = await withClient((client) => client.connection.operatorService.listSearchAttributes({ namespace: 'default' }));
    for (const key of exportSearchAttributeKeys) expect(attributes.customAttributes?.[key.name]).toBeDefined();
  });

  it('runs a real export through the production worker; the run is found by its ExportTenant search attribute', async () => {
    const env = parseEnv(sharedEnvSchema, { ...bareEnv, ...stack!.env });
    const harness = await startRealWorker(env);
    try {
      const input = await insertQueuedExport(harness.db, await smallTenant());
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

describe('choosing the profile', () => {
  it('an unknown EMBEDDED_TEMPORAL is refused before anything starts, naming the choices', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'export-console-temporal-profile-'));
    try {
      await expect(startStack({ dataDir: path.join(empty, 'data'), env: { ...bareEnv, EMBEDDED_TEMPORAL: 'cluster' }, log: () => {} })).rejects.toThrow(
        'invalid Temporal profile "cluster" (from EMBEDDED_TEMPORAL): use dev or server',
      );
      expect(processesMentioning(empty)).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('a real server that fails to start', () => {
  it('stops what the stack had started and says why', async () => {
    const failDir = await mkdtemp(path.join(tmpdir(), 'export-console-temporal-server-fail-'));
    try {
      // A server binary that dies at once, beside the real schema tool: Postgres and the schema get done first.
      const realServer = await resolveTool('temporal-server');
      const bin = path.join(failDir, 'bin');
      await mkdir(bin);
      await writeFile(path.join(bin, 'temporal-server'), '#!/bin/sh\necho "config is broken" >&2\nexit 3\n', { mode: 0o755 });
      await symlink(path.join(path.dirname(realServer), 'sql'), path.join(bin, 'sql'));
      const failPorts = await findFreeStackPorts();
      const env = { ...bareEnv, TEMPORAL_SERVER_PATH: path.join(bin, 'temporal-server') };

      const failed = await startStack({ dataDir: path.join(failDir, 'data'), ports: failPorts, env, temporal: 'server', log: () => {} }).then(
        () => new Error('started'),
        (error: unknown) => error as Error,
      );

      expect(failed.message).toContain('temporal-server exited during start-up (exit 3)');
      expect(failed.message).toContain('config is broken');
      for (const port of [failPorts.postgres, failPorts.s3, failPorts.smtp]) expect(await isPortFree(port)).toBe(true);
      expect(processesMentioning(failDir)).toEqual([]);
    } finally {
      await rm(failDir, { recursive: true, force: true });
    }
  });
});
