import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkExportRef, BulkExportWorkflowInput, BulkUserRef } from '../../lib/exports/bulk/bulk-export.contracts';
import type { ChildAdmission } from '../../lib/exports/bulk/bulk-children';
import type { UserExportInput } from '../../lib/exports/export.contracts';
import { sharedEnv } from '../../lib/env';
import { temporalConnectionOptions } from '../../lib/temporal/connection';
import { saveHistory } from '../support/histories';
import { quietTemporalLogs } from '../support/worker';

/**
 * BulkExportWorkflow on the real Temporal dev server with mocked activities (its children
 * are real UserExportWorkflows with mocked activities too): batching with continue-as-new,
 * the concurrency bound, waits for the tenant's caps, a failing user, and cancellation.
 */
const env = sharedEnv();
const taskQueue = `bulk-workflow-test-${randomUUID()}`;

interface Bulk {
  users: BulkUserRef[];
  /** userId → how many times admission says "wait" before admitting. */
  waits: Map<string, number>;
  failing: Set<string>;
  /** Children wait for cancellation instead of finishing. */
  hang: boolean;
  recorded: { userId: string; ending: string; summary: string | null }[];
  ended: string[];
  archived: number;
  inFlight: number;
  maxInFlight: number;
  admissions: number;
}
const bulks = new Map<string, Bulk>();
const userToBulk = new Map<string, Bulk>();
const exportUser = new Map<string, string>();

const activities = {
  async startBulkExport(): Promise<void> {},
  async nextBulkUsers(input: BulkExportRef & { afterPosition: number; limit: number }): Promise<BulkUserRef[]> {
    return bulks
      .get(input.bulkExportId)!
      .users.filter((u) => u.position > input.afterPosition)
      .slice(0, input.limit);
  },
  async admitBulkChild(input: BulkExportRef & BulkUserRef): Promise<ChildAdmission> {
    const bulk = bulks.get(input.bulkExportId)!;
    bulk.admissions++;
    const waits = bulk.waits.get(input.userId) ?? 0;
    if (waits > 0) {
      bulk.waits.set(input.userId, waits - 1);
      return { kind: 'wait', retryAfterSeconds: 1, reason: 'caps' };
    }
    const exportId = randomUUID();
    exportUser.set(exportId, input.userId);
    return { kind: 'admitted', exportId };
  },
  async recordBulkChild(input: BulkExportRef & BulkUserRef & { ending: string; summary: string | null }): Promise<void> {
    bulks.get(input.bulkExportId)!.recorded.push({ userId: input.userId, ending: input.ending, summary: input.summary });
  },
  async endBulkExport(input: BulkExportRef & { status: string }): Promise<void> {
    bulks.get(input.bulkExportId)!.ended.push(input.status);
  },
  async writeBulkExportArchive(ref: BulkExportRef): Promise<{ bytes: number }> {
    bulks.get(ref.bulkExportId)!.archived++;
    return { bytes: 1 };
  },
  // The children's activities.
  async exportUserData(input: UserExportInput): Promise<{ heartbeats: number }> {
    const bulk = userToBulk.get(input.userId)!;
    bulk.inFlight++;
    bulk.maxInFlight = Math.max(bulk.maxInFlight, bulk.inFlight);
    try {
      if (bulk.failing.has(input.userId)) throw ApplicationFailure.create({ type: 'NotFound', message: 'gone', nonRetryable: true });
      if (bulk.hang) {
        const ctx = Context.current();
        const beat = setInterval(() => ctx.heartbeat(), 200);
        try {
          await ctx.cancelled;
        } finally {
          clearInterval(beat);
        }
      }
      await new Promise((r) => setTimeout(r, 20));
      return { heartbeats: 1 };
    } finally {
      bulk.inFlight--;
    }
  },
  async finishExport(): Promise<void> {},
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

function newBulk(count: number, options: Partial<Pick<Bulk, 'hang'>> = {}): { input: BulkExportWorkflowInput; bulk: Bulk } {
  const bulk: Bulk = {
    users: [],
    waits: new Map(),
    failing: new Set(),
    hang: options.hang ?? false,
    recorded: [],
    ended: [],
    archived: 0,
    inFlight: 0,
    maxInFlight: 0,
    admissions: 0,
  };
  for (let i = 1; i <= count; i++) {
    const userId = randomUUID();
    bulk.users.push({ position: i, userId });
    userToBulk.set(userId, bulk);
  }
  const input: BulkExportWorkflowInput = {
    bulkExportId: randomUUID(),
    tenantId: randomUUID(),
    environmentId: randomUUID(),
    format: 'csv',
    concurrency: 3,
    batchSize: 10,
  };
  bulks.set(input.bulkExportId, bulk);
  return { input, bulk };
}

function start(input: BulkExportWorkflowInput) {
  return client.workflow.start('BulkExportWorkflow', { taskQueue, workflowId: `bulk-wf-test-${input.bulkExportId}`, args: [input] });
}

/** Every run of the chain with its history length (events), oldest first. */
async function runsOf(workflowId: string): Promise<{ runId: string; events: number; continuedAsNew: boolean }[]> {
  const runs: { runId: string; events: number; continuedAsNew: boolean; started: number }[] = [];
  await expect
    .poll(
      async () => {
        runs.length = 0;
        for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
          const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
          const events = history.events ?? [];
          runs.push({
            runId: run.runId,
            events: events.length,
            continuedAsNew: events.some((e) => e.workflowExecutionContinuedAsNewEventAttributes),
            started: run.startTime.getTime(),
          });
        }
        return runs.length;
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0);
  return runs.sort((a, b) => a.started - b.started);
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

describe('BulkExportWorkflow (mocked activities, real dev server)', () => {
  it('runs every user once, at most `concurrency` at a time, one batch per run, then writes the ZIP once', async () => {
    const { input, bulk } = newBulk(25);
    bulk.waits.set(bulk.users[3]!.userId, 2);
    const handle = await start(input);
    // 25 users in batches of 10: runs of 10, 10 and 5; the last one writes the ZIP.
    expect(await handle.result()).toEqual({ status: 'completed', runs: 3 });
    expect(bulk.recorded.map((r) => r.userId).sort()).toEqual(bulk.users.map((u) => u.userId).sort());
    expect(new Set(bulk.recorded.map((r) => r.ending))).toEqual(new Set(['completed']));
    expect(bulk.maxInFlight).toBeLessThanOrEqual(3);
    expect(bulk.maxInFlight).toBeGreaterThan(1);
    // The user told to wait twice was asked three times.
    expect(bulk.admissions).toBe(25 + 2);
    expect(bulk.archived).toBe(1);
    expect(bulk.ended).toEqual([]);
    const runs = await runsOf(handle.workflowId);
    expect(runs.map((r) => r.continuedAsNew)).toEqual([true, true, false]);
    // Bounded by the batch, not by the number of users.
    for (const run of runs) expect(run.events).toBeLessThan(250);
    await saveHistory(client, handle.workflowId, 'bulk-mocked-completed');
  });

  it('lists a failing user with its summary and completes the rest', async () => {
    const { input, bulk } = newBulk(5);
    bulk.failing.add(bulk.users[1]!.userId);
    const handle = await start(input);
    expect(await handle.result()).toEqual({ status: 'completed', runs: 1 });
    const failed = bulk.recorded.filter((r) => r.ending === 'failed');
    expect(failed).toEqual([
      { userId: bulk.users[1]!.userId, ending: 'failed', summary: expect.stringMatching(/^The export failed because the user or the export no longer exists/) },
    ]);
    expect(bulk.recorded.filter((r) => r.ending === 'completed')).toHaveLength(4);
    expect(bulk.archived).toBe(1);
  });

  it('cancelling cancels every running child, records each, ends the bulk cancelled, and the parent ends CANCELLED', async () => {
    const { input, bulk } = newBulk(8, { hang: true });
    const handle = await start(input);
    await expect.poll(() => bulk.inFlight, { timeout: 15_000 }).toBe(3);
    await handle.cancel();
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(bulk.recorded.map((r) => r.ending)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(bulk.ended).toEqual(['cancelled']);
    expect(bulk.archived).toBe(0);
    expect(bulk.admissions).toBe(3);
    await saveHistory(client, handle.workflowId, 'bulk-mocked-cancelled');
  });
});
