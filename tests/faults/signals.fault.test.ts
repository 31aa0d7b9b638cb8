import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../lib/db/client';
import { migrateToLatest } from '../../lib/db/migrator';
import { findFreePort } from '../../scripts/stack/index';
import type { StartedChild } from '../../scripts/lib/child-process';
import { scrape, sumOf, type Sample } from '../support/prometheus';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { exportRow, seedFaultFixture, startExport, type FaultFixture } from './support/fixtures';
import { signInSession } from './support/http';
import { startWeb, startWorker } from '../support/processes';

/**
 * The operator's signals on the production builds: the worker's Prometheus endpoint (the
 * SDK's runtime metrics and the product's export counters) and probes, the web app's
 * metrics port and probes, and readiness following Postgres and Temporal down and back.
 */
let stack: FaultStack;
let db: Db;
let workerFixture: FaultFixture;
let webFixture: FaultFixture;
let temporal: Client;
let worker: StartedChild;
let web: StartedChild;
let workerOps: string;
let webMetricsUrl: string;
let appUrl: string;

beforeAll(async () => {
  stack = await startFaultStack();
  db = createDb(stack.env.DATABASE_URL, 4);
  await migrateToLatest(db);
  // Two tenants: the worker's counters are read by tenant, the web's rate limit counts per tenant.
  workerFixture = await seedFaultFixture(db);
  webFixture = await seedFaultFixture(db, 50);
  const [opsPort, appPort, webMetricsPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  workerOps = `http://127.0.0.1:${opsPort}`;
  webMetricsUrl = `http://127.0.0.1:${webMetricsPort}/metrics`;
  appUrl = `http://127.0.0.1:${appPort}`;
  const webEnv = {
    ...stack.env,
    NEXTAUTH_SECRET: randomBytes(32).toString('hex'),
    NEXTAUTH_URL: appUrl,
    WEB_METRICS_ADDRESS: `127.0.0.1:${webMetricsPort}`,
    EXPORT_RATE_PER_MINUTE: '2',
  };
  [worker, web] = await Promise.all([startWorker({ ...stack.env, WORKER_METRICS_ADDRESS: `127.0.0.1:${opsPort}` }), startWeb(webEnv, appPort)]);
  temporal = new Client({ connection: await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS }) });
});

afterAll(async () => {
  // Kept for a failed run: what the two processes said.
  if (process.env.SIGNALS_TEST_LOGS) {
    writeFileSync(`${process.env.SIGNALS_TEST_LOGS}-worker.log`, worker?.output() ?? '');
    writeFileSync(`${process.env.SIGNALS_TEST_LOGS}-web.log`, web?.output() ?? '');
  }
  worker?.kill('SIGKILL');
  web?.kill('SIGKILL');
  await temporal?.connection.close();
  await db?.destroy();
  await stack?.close();
});

const tenantOf = (fixture: FaultFixture) => ({ tenant: fixture.tenantId });
const exportWorkflows = { workflow_type: 'UserExportWorkflow', task_queue: 'user-export' };

describe('worker metrics', () => {
  it('counts each export ending exactly once, with its rows and bytes, beside the SDK runtime metrics', async () => {
    const before = await scrape(`${workerOps}/metrics`);
    const tenant = tenantOf(workerFixture);
    expect(sumOf(before, 'exports_started_total', tenant)).toBe(0);

    const completed = await startExport(db, temporal, workerFixture, workerFixture.smallUserId);
    await expect(completed.handle.result()).resolves.toMatchObject({ status: 'completed' });

    const failed = await startExport(db, temporal, workerFixture, workerFixture.smallUserId, { workflowUserId: randomUUID() });
    await expect(failed.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    // The attempt's input names another user, so it may not write this row (the reconciler repairs it later).
    expect((await exportRow(db, failed.exportId)).status).toBe('queued');

    // Cancelled at once: whether the request reaches the workflow before or after the
    // export's activity starts, the million-row export cannot finish first.
    const cancelled = await startExport(db, temporal, workerFixture, workerFixture.bigUserId);
    await cancelled.handle.cancel();
    await expect(cancelled.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await exportRow(db, cancelled.exportId)).status).toBe('cancelled');

    // Workflow metrics reach the exporter after the workflow task completes: wait for the last one.
    let after: Sample[] = [];
    await expect
      .poll(async () => sumOf((after = await scrape(`${workerOps}/metrics`)), 'exports_cancelled_total', tenant), { timeout: 15_000, interval: 250 })
      .toBe(1);
    expect(sumOf(after, 'exports_started_total', tenant)).toBe(3);
    expect(sumOf(after, 'exports_completed_total', tenant)).toBe(1);
    expect(sumOf(after, 'exports_failed_total', tenant)).toBe(1);
    expect(sumOf(after, 'export_duration_seconds_count', { ...tenant, outcome: 'completed' })).toBe(1);
    expect(sumOf(after, 'export_duration_seconds_count', { ...tenant, outcome: 'failed' })).toBe(1);
    expect(sumOf(after, 'export_duration_seconds_count', { ...tenant, outcome: 'cancelled' })).toBe(1);

    // Only the kept file counts: the small user's 20 events and the bytes on its row.
    const row = await exportRow(db, completed.exportId);
    expect(sumOf(after, 'export_rows_written_total', tenant)).toBe(20);
    expect(sumOf(after, 'export_bytes_written_total', tenant)).toBe(Number(row.bytes));
    expect(sumOf(after, 'export_rows_per_second_count', tenant)).toBe(1);

    // The SDK's own runtime metrics, from the same endpoint.
    const delta = (name: string) => sumOf(after, name, exportWorkflows) - sumOf(before, name, exportWorkflows);
    expect(delta('temporal_workflow_completed_total')).toBe(1);
    expect(delta('temporal_workflow_failed_total')).toBe(1);
    expect(delta('temporal_workflow_canceled_total')).toBe(1);
    expect(sumOf(after, 'temporal_activity_execution_latency_count', { activity_type: 'exportUserData' })).toBeGreaterThanOrEqual(2);
    expect(sumOf(after, 'temporal_num_pollers', { poller_type: 'activity_task' })).toBeGreaterThan(0);
  });

  it('answers probes on the ops port, and nothing else there', async () => {
    const live = await fetch(`${workerOps}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${workerOps}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { polling: true, database: true, temporal: true } });
    expect((await fetch(`${workerOps}/api/health`)).status).toBe(404);
  });
});

describe('web metrics', () => {
  it('counts requests by route template and status, and export requests by outcome', async () => {
    const api = await signInSession(appUrl, webFixture.adminEmail, webFixture.password);
    const before = await scrape(webMetricsUrl);
    for (let i = 0; i < 3; i++) expect((await fetch(`${appUrl}/api/health/live`)).status).toBe(200);
    const third = await db
      .insertInto('users')
      .values({ tenant_id: webFixture.tenantId, environment_id: webFixture.environmentId, email: 'third@faults.example', name: 'Third' })
      .returning('id')
      .executeTakeFirstOrThrow();
    // EXPORT_RATE_PER_MINUTE=2: two accepted, a repeat deduplicated, the third user refused.
    expect((await api(`/api/users/${webFixture.smallUserId}/exports`, { method: 'POST' })).status).toBe(202);
    expect((await api(`/api/users/${webFixture.smallUserId}/exports`, { method: 'POST' })).status).toBe(200);
    expect((await api(`/api/users/${webFixture.bigUserId}/exports`, { method: 'POST' })).status).toBe(202);
    expect((await api(`/api/users/${third.id}/exports`, { method: 'POST' })).status).toBe(429);
    expect((await api(`/api/users/not-a-uuid/exports`, { method: 'POST' })).status).toBe(400);
    const bulk = await api('/api/bulk-exports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userIds: [webFixture.smallUserId] }),
    });
    expect(bulk.status).toBe(202);
    await bulk.body?.cancel();

    // A request is counted when its response has ended on the server, a moment after the client has it.
    let after: Sample[] = [];
    const delta = (name: string, labels: Record<string, string>) => sumOf(after, name, labels) - sumOf(before, name, labels);
    await expect
      .poll(
        async () => {
          after = await scrape(webMetricsUrl);
          return delta('http_requests_total', { method: 'POST', route: '/api/bulk-exports', status: '202' });
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(1);
    expect(delta('http_requests_total', { method: 'GET', route: '/api/health/live', status: '200' })).toBe(3);
    expect(delta('http_request_duration_seconds_count', { method: 'GET', route: '/api/health/live', status: '200' })).toBe(3);
    const exportsRoute = { method: 'POST', route: '/api/users/[userId]/exports' };
    expect(delta('http_requests_total', { ...exportsRoute, status: '202' })).toBe(2);
    expect(delta('http_requests_total', { ...exportsRoute, status: '200' })).toBe(1);
    expect(delta('http_requests_total', { ...exportsRoute, status: '429' })).toBe(1);
    expect(delta('http_requests_total', { ...exportsRoute, status: '400' })).toBe(1);
    expect(delta('export_requests_total', { kind: 'user', outcome: 'accepted' })).toBe(2);
    expect(delta('export_requests_total', { kind: 'user', outcome: 'deduplicated' })).toBe(1);
    expect(delta('export_requests_total', { kind: 'user', outcome: 'rate_limit' })).toBe(1);
    expect(delta('export_requests_total', { kind: 'bulk', outcome: 'accepted' })).toBe(1);
    // No id ever becomes a label: the series stay bounded.
    expect(after.some((s) => Object.values(s.labels).some((v) => v.includes(webFixture.smallUserId)))).toBe(false);
    // prom-client's process metrics come along.
    expect(sumOf(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // The worker counts the bulk export it started (its users wait on the tenant's rate limit).
    await expect
      .poll(async () => sumOf(await scrape(`${workerOps}/metrics`), 'bulk_exports_started_total', tenantOf(webFixture)), { timeout: 15_000, interval: 250 })
      .toBe(1);
  });

  it('is not served on the app port, and the metrics port serves nothing else', async () => {
    const onApp = await fetch(`${appUrl}/metrics`);
    expect(onApp.status).toBe(404);
    expect(await onApp.text()).not.toContain('http_requests_total');
    expect((await fetch(webMetricsUrl.replace('/metrics', '/api/health/live'))).status).toBe(404);
  });
});

describe('probes', () => {
  async function probes() {
    const [webLive, webReady, workerLive, workerReady] = await Promise.all(
      [`${appUrl}/api/health/live`, `${appUrl}/api/health/ready`, `${workerOps}/healthz`, `${workerOps}/readyz`].map((url) =>
        fetch(url, { signal: AbortSignal.timeout(10_000) }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { status: string; checks?: Record<string, unknown> },
        })),
      ),
    );
    return { webLive: webLive!, webReady: webReady!, workerLive: workerLive!, workerReady: workerReady! };
  }
  const statuses = async () => {
    const p = await probes();
    return { webLive: p.webLive.status, webReady: p.webReady.status, workerLive: p.workerLive.status, workerReady: p.workerReady.status };
  };

  it('Postgres down: readiness 503 (the worker probe names the database) while liveness stays 200; ready again once it is back', async () => {
    expect(await statuses()).toEqual({ webLive: 200, webReady: 200, workerLive: 200, workerReady: 200 });
    await stack.stopPostgres();
    try {
      await expect.poll(statuses, { timeout: 30_000, interval: 500 }).toEqual({ webLive: 200, webReady: 503, workerLive: 200, workerReady: 503 });
      const down = await probes();
      // The public probe says only whether; the worker's private one says which check failed.
      expect(down.webReady.body).toEqual({ status: 'not_ready' });
      expect(down.workerReady.body).toEqual({ status: 'not_ready', checks: { polling: true, database: false, temporal: true } });
    } finally {
      await stack.startPostgres();
    }
    await expect.poll(statuses, { timeout: 60_000, interval: 500 }).toEqual({ webLive: 200, webReady: 200, workerLive: 200, workerReady: 200 });
  });

  it('Temporal down: readiness 503 (the worker probe names Temporal) while liveness stays 200; ready again once it is back', async () => {
    await stack.stopTemporal();
    try {
      await expect.poll(statuses, { timeout: 30_000, interval: 500 }).toEqual({ webLive: 200, webReady: 503, workerLive: 200, workerReady: 503 });
      const down = await probes();
      expect(down.webReady.body).toEqual({ status: 'not_ready' });
      expect(down.workerReady.body.checks).toMatchObject({ database: true, temporal: false });
    } finally {
      await stack.startTemporal();
    }
    await expect.poll(statuses, { timeout: 90_000, interval: 500 }).toEqual({ webLive: 200, webReady: 200, workerLive: 200, workerReady: 200 });
  });
});
