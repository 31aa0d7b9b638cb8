import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportAttemptStats, UserExportInput, UserExportResult } from '../../lib/exports/export.contracts';
import { sharedEnv } from '../../lib/env';
import { temporalConnectionOptions } from '../../lib/temporal/connection';
import { exportStartSearchAttributes, exportStatusKey, exportUserKey } from '../../lib/temporal/search-attributes';
import type { FinishExportInput } from '../../worker/activities/export.activities';
import { quietTemporalLogs } from '../support/worker';
import { saveHistory } from '../support/histories';

/**
 * UserExportWorkflow on the real Temporal dev server with mocked activities: the workflow's
 * own logic (retries, failure summary, validation, cancellation), not the export itself.
 */
const env = sharedEnv();
const taskQueue = `workflow-test-${randomUUID()}`;
const attempts = new Map<string, number>();
const finished: FinishExportInput[] = [];
type Behaviour = 'succeed' | 'fail' | 'wait-for-cancel';
const behaviour = new Map<string, Behaviour>();

const activities = {
  async exportUserData(input: UserExportInput): Promise<ExportAttemptStats> {
    attempts.set(input.exportId, (attempts.get(input.exportId) ?? 0) + 1);
    switch (behaviour.get(input.exportId)) {
      case 'fail':
        throw ApplicationFailure.retryable('S3 said no', 'StorageError');
      case 'wait-for-cancel': {
        const ctx = Context.current();
        const beat = setInterval(() => ctx.heartbeat({ rowsExported: 1 }), 200);
        try {
          await ctx.cancelled;
        } finally {
          clearInterval(beat);
        }
        throw new Error('unreachable');
      }
      default:
        return { heartbeats: 3 };
    }
  },
  async finishExport(input: FinishExportInput): Promise<void> {
    finished.push(input);
  },
  // Mail is covered by export-notification.int.test.ts; here it is sent to no one.
  async notifyExportOutcome(): Promise<{ sent: false; skipped: 'smtp-not-configured' }> {
    return { sent: false, skipped: 'smtp-not-configured' };
  },
  async recordNotificationFailure(): Promise<void> {},
};

let worker: Worker;
let running: Promise<void>;
let client: Client;
let connection: Connection;
let nativeConnection: NativeConnection;

function newInput(b: Behaviour): UserExportInput {
  const input = { exportId: randomUUID(), userId: randomUUID(), tenantId: randomUUID(), environmentId: randomUUID() };
  behaviour.set(input.exportId, b);
  return input;
}

/** Temporal's own status of the closed run, as an operator filtering in the UI sees it. */
async function temporalStatus(handle: WorkflowHandle): Promise<string> {
  return (await handle.describe()).status.name;
}

function start(input: unknown) {
  return client.workflow.start('UserExportWorkflow', { taskQueue, workflowId: `wf-test-${randomUUID()}`, args: [input] });
}

beforeAll(async () => {
  quietTemporalLogs();
  nativeConnection = await NativeConnection.connect(temporalConnectionOptions(env));
  worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('../../worker/workflows/index.ts', import.meta.url)),
    activities,
    maxHeartbeatThrottleInterval: '1 second',
  });
  running = worker.run();
  connection = await Connection.connect(temporalConnectionOptions(env));
  client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await nativeConnection?.close();
});

/** What the ExportStatus search attribute says now (describe reads the run itself, not visibility). */
async function statusAttribute(handle: WorkflowHandle): Promise<string | undefined> {
  return (await handle.describe()).typedSearchAttributes.get(exportStatusKey);
}

describe('UserExportWorkflow (mocked activities, real dev server)', () => {
  it('completes with only the attempt stats (the file is on the row), and Temporal shows COMPLETED', async () => {
    const input = newInput('succeed');
    const handle = await start(input);
    const result: UserExportResult = await handle.result();
    await saveHistory(client, handle.workflowId, 'mocked-completed');
    expect(result).toEqual({ status: 'completed', heartbeats: 3 });
    expect(await temporalStatus(handle)).toBe('COMPLETED');
    expect(await statusAttribute(handle)).toBe('completed');
    expect(attempts.get(input.exportId)).toBe(1);
    expect(finished.filter((f) => f.exportId === input.exportId)).toEqual([]);
  });

  it('after 3 failed attempts records the summary on the row, then ends FAILED with that summary', async () => {
    const input = newInput('fail');
    const handle = await start(input);
    const error = await handle.result().catch((e: unknown) => e);
    await saveHistory(client, handle.workflowId, 'mocked-failed-after-retries');
    // The summary is the storage category's fixed sentence, not the activity's own message.
    const summary =
      'The export failed after 3 attempts because file storage was unreachable. Request it again in a few minutes; if it keeps failing, contact your operator.';
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toMatchObject({ type: 'ExportFailed', message: summary, nonRetryable: true });
    expect(await temporalStatus(handle)).toBe('FAILED');
    expect(await statusAttribute(handle)).toBe('failed');
    expect(attempts.get(input.exportId)).toBe(3);
    expect(finished.filter((f) => f.exportId === input.exportId)).toEqual([{ ...input, status: 'failed', errorSummary: summary }]);
  });

  it('fails at once on invalid input, without running the export', async () => {
    const handle = await start({ exportId: randomUUID(), userId: '', tenantId: randomUUID() });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('ValidationError');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toMatch(/User ID is required/);
    expect(cause.message).toMatch(/Environment ID is required/);
    expect(await temporalStatus(handle)).toBe('FAILED');
    const history = await handle.fetchHistory();
    expect((history.events ?? []).some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    await saveHistory(client, handle.workflowId, 'mocked-invalid-input');
  });

  it('cancellation records `cancelled` once the activity has stopped, then ends CANCELLED', async () => {
    const input = newInput('wait-for-cancel');
    const handle = await start(input);
    await expect.poll(() => attempts.get(input.exportId) ?? 0, { timeout: 15_000 }).toBe(1);
    await handle.cancel();
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(await temporalStatus(handle)).toBe('CANCELLED');
    expect(await statusAttribute(handle)).toBe('cancelled');
    await saveHistory(client, handle.workflowId, 'mocked-cancelled');
    expect(finished.filter((f) => f.exportId === input.exportId)).toEqual([{ ...input, status: 'cancelled', errorSummary: null }]);
  });

  it("an operator lists one tenant's exports, and its failed ones, by search attribute", async () => {
    const tenantId = randomUUID();
    const ok = { ...newInput('succeed'), tenantId };
    const bad = { ...newInput('fail'), tenantId };
    behaviour.set(bad.exportId, 'fail');
    // Started as the web app starts them: with the scope and `queued`.
    const startWithAttributes = (input: UserExportInput) =>
      client.workflow.start('UserExportWorkflow', {
        taskQueue,
        workflowId: `wf-test-${randomUUID()}`,
        args: [input],
        typedSearchAttributes: exportStartSearchAttributes(input),
      });
    const [okHandle, badHandle] = await Promise.all([startWithAttributes(ok), startWithAttributes(bad)]);
    await okHandle.result();
    await badHandle.result().catch(() => {});
    const ids = async (query: string) => {
      const found: string[] = [];
      for await (const run of client.workflow.list({ query })) found.push(run.workflowId);
      return found.sort();
    };
    // Visibility is eventually consistent: poll until both runs are listed with their final status.
    await expect.poll(() => ids(`ExportTenant = '${tenantId}'`), { timeout: 15_000 }).toEqual([okHandle.workflowId, badHandle.workflowId].sort());
    await expect.poll(() => ids(`ExportTenant = '${tenantId}' AND ExportStatus = 'failed'`), { timeout: 15_000 }).toEqual([badHandle.workflowId]);
    expect(await ids(`ExportTenant = '${randomUUID()}'`)).toEqual([]);
    expect((await okHandle.describe()).typedSearchAttributes.get(exportUserKey)).toBe(ok.userId);
  });
});
