import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../lib/db/client';
import { migrateToLatest } from '../../lib/db/migrator';
import type { ExportDto } from '../../lib/exports/export.contracts';
import type { StartedChild } from '../../scripts/lib/child-process';
import { findFreePort } from '../../scripts/stack/index';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { seedFaultFixture, type FaultFixture } from './support/fixtures';
import { signInSession } from './support/http';
import { startWeb, startWorker } from '../support/processes';

/**
 * Traces and logs of one export, from the production web build and the compiled worker on a
 * private stack (in this suite because it needs both builds): the spans reach an OTLP
 * receiver as one trace from the HTTP request to the activity, and the worker's log lines
 * about the export are JSON carrying its ids.
 */
let stack: FaultStack;
let db: Db;
let fixture: FaultFixture;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let worker: StartedChild | undefined;
let web: StartedChild | undefined;
let api: Awaited<ReturnType<typeof signInSession>>;
let exported: ExportDto;

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startFaultStack(), startOtlpReceiver()]);
  db = createDb(stack.env.DATABASE_URL, 4);
  await migrateToLatest(db);
  fixture = await seedFaultFixture(db, 1_000);
  const port = await findFreePort();
  // Spans leave every 200 ms instead of every 5 s, so the test waits less; nothing else differs.
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' };
  const webEnv = { ...stack.env, ...otel, NEXTAUTH_SECRET: randomBytes(32).toString('hex'), NEXTAUTH_URL: `http://127.0.0.1:${port}` };
  [worker, web] = await Promise.all([startWorker({ ...stack.env, ...otel }), startWeb(webEnv, port)]);
  api = await signInSession(`http://127.0.0.1:${port}`, fixture.adminEmail, fixture.password);

  const response = await api(`/api/users/${fixture.smallUserId}/exports`, { method: 'POST' });
  expect(response.status).toBe(202);
  const { id } = ((await response.json()) as { export: ExportDto }).export;
  exported = await untilEnded(id);
  expect(exported.status).toBe('completed');
});

/** The export once it has ended (expect.poll works only inside a test). */
async function untilEnded(id: string): Promise<ExportDto> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    const { export: exp } = (await (await api(`/api/exports/${id}`)).json()) as { export: ExportDto };
    if (exp.status !== 'queued' && exp.status !== 'running') return exp;
  }
  throw new Error(`export ${id} did not end within 120 s`);
}

afterAll(async () => {
  worker?.kill('SIGKILL');
  web?.kill('SIGKILL');
  await db?.destroy();
  await receiver?.close();
  await stack?.close();
});

const describeSpans = (spans: ReceivedSpan[]) =>
  spans.map((s) => `${s.service} ${s.name} trace=${s.traceId} id=${s.spanId} parent=${s.parentSpanId ?? '-'} ${JSON.stringify(s.attributes)}`).join('\n');

describe('telemetry of one export', () => {
  it('one trace runs from the HTTP request through the workflow start and the workflow to the activity', async () => {
    const workflowId = `user-export-${exported.id}`;
    const start = () => receiver.spans.find((s) => s.name === 'StartWorkflow:UserExportWorkflow' && s.attributes.temporalWorkflowId === workflowId);
    const inTrace = (name: string) => receiver.spans.find((s) => s.name === name && s.traceId === start()?.traceId);
    // The worker exports its spans in batches, the last after the activity ends: wait for them.
    await expect
      .poll(() => Boolean(inTrace('RunWorkflow:UserExportWorkflow') && inTrace('RunActivity:exportUserData')), { timeout: 30_000, interval: 200 })
      .toBe(true)
      .catch((error: Error) => {
        throw new Error(`${error.message}; spans received:\n${describeSpans(receiver.spans)}`);
      });
    const trace = receiver.spans.filter((s) => s.traceId === start()!.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const context = describeSpans(trace);

    // The web side: StartWorkflow sits under the request's span, named for the route template.
    const ancestors: ReceivedSpan[] = [];
    for (let s = start(); s?.parentSpanId; s = byId.get(s.parentSpanId)) ancestors.push(byId.get(s.parentSpanId)!);
    expect(ancestors.every(Boolean), context).toBe(true);
    const root = ancestors.at(-1);
    expect(root?.parentSpanId, context).toBeUndefined();
    expect(root, context).toMatchObject({ service: 'export-console-web', name: 'POST /api/users/[userId]/exports' });
    expect(
      ancestors.some((s) => s.attributes['tenant.id'] === fixture.tenantId),
      context,
    ).toBe(true);
    expect(start()?.service).toBe('export-console-web');

    // The worker side, same trace: RunWorkflow under StartWorkflow, the activity under the workflow.
    const run = trace.find((s) => s.name === 'RunWorkflow:UserExportWorkflow');
    expect(run, context).toMatchObject({ service: 'export-console-worker', parentSpanId: start()!.spanId, attributes: { workflowId } });
    const scheduled = trace.find((s) => s.name === 'StartActivity:exportUserData');
    expect(scheduled, context).toMatchObject({ parentSpanId: run!.spanId });
    const activity = trace.find((s) => s.name === 'RunActivity:exportUserData');
    expect(activity, context).toMatchObject({
      service: 'export-console-worker',
      parentSpanId: scheduled!.spanId,
      attributes: { 'export.id': exported.id, 'tenant.id': fixture.tenantId, temporalWorkflowId: workflowId },
    });
  });

  it("the worker's log lines about the export are JSON with its export id, workflow id, tenant and attempt", () => {
    const lines = worker!
      .output()
      .split('\n')
      .filter((line) => line.includes(exported.id));
    expect(lines.length).toBeGreaterThan(0);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const activityLines = records.filter((r) => r.activityType === 'exportUserData');
    expect(activityLines.map((r) => r.msg)).toEqual(expect.arrayContaining(['Export attempt started', 'Export file stored']));
    for (const record of activityLines) {
      expect(record).toMatchObject({
        level: 'info',
        service: 'export-console-worker',
        exportId: exported.id,
        workflowId: `user-export-${exported.id}`,
        tenantId: fixture.tenantId,
        attempt: 1,
      });
      expect(record).not.toHaveProperty('taskToken');
    }
  });
});
