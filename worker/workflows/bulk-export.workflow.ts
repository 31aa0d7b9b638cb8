import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import {
  type BulkExportRef,
  type BulkExportResult,
  type BulkExportWorkflowInput,
  type BulkUserRef,
  bulkExportWorkflowInputSchema,
} from '../../lib/exports/bulk/bulk-export.contracts';
import type { UserExportInput } from '../../lib/exports/export.contracts';
import { failureTypes } from '../../lib/temporal/failure-types';
import { exportStartSearchAttributes, exportStatusKey } from '../../lib/temporal/search-attributes';
import type { BulkExportActivities } from '../activities/bulk-export.activities';
import { countBulkExport } from './export-metrics';
import { summarizeFailure } from './failure-summary';
import { UserExportWorkflow } from './user-export.workflow';

const archiveAttempts = 3;

// The ZIP: the single export's policy (heartbeat so a lost worker is noticed in ~30 s).
const { writeBulkExportArchive } = proxyActivities<BulkExportActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: archiveAttempts,
    nonRetryableErrorTypes: [failureTypes.validation, failureTypes.notFound, failureTypes.superseded],
  },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

// Row reads and writes: local activities, one marker each in the history instead of three
// events. They retry through a database outage of up to ten minutes.
const { startBulkExport, nextBulkUsers, admitBulkChild, recordBulkChild, endBulkExport } = proxyLocalActivities<BulkExportActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * Exports many users of one environment: each user is an ordinary UserExportWorkflow child
 * (its own export row and history entry), at most `concurrency` at once, each admitted
 * under the tenant's caps (a refusal waits, then asks again). One run handles one batch of
 * the bulk's user snapshot, waits for its children, and continues as new with the cursor,
 * so the history stays bounded for any number of users. After the last batch one activity
 * writes the bulk ZIP. A user whose export fails is listed on the bulk and the rest go on.
 * Cancelling the bulk cancels every running child (they end Canceled, their rows
 * `cancelled`), ends the users not started, and ends this workflow Canceled.
 */
export async function BulkExportWorkflow(rawInput: BulkExportWorkflowInput): Promise<BulkExportResult> {
  const parsed = bulkExportWorkflowInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => i.message).join('; ');
    throw ApplicationFailure.create({ type: failureTypes.validation, message: `Invalid bulk export input: ${message}`, nonRetryable: true });
  }
  const input = parsed.data;
  const ref: BulkExportRef = { bulkExportId: input.bulkExportId, tenantId: input.tenantId, environmentId: input.environmentId };
  const showStatus = (status: 'running' | 'completed' | 'failed' | 'cancelled') => upsertSearchAttributes([{ key: exportStatusKey, value: status }]);
  let nextCursor: number | null = null;
  try {
    if (input.runsBefore === 0) {
      countBulkExport(ref.tenantId, 'started');
      await startBulkExport(ref);
      showStatus('running');
    }
    const batch = await nextBulkUsers({ ...ref, afterPosition: input.cursor, limit: input.batchSize });
    await runChildren(input, ref, batch);
    if (batch.length === input.batchSize) nextCursor = batch.at(-1)!.position;
    else await writeBulkExportArchive(ref);
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => endBulkExport({ ...ref, status: 'cancelled' }));
      showStatus('cancelled');
      countBulkExport(ref.tenantId, 'cancelled');
      throw error;
    }
    const summary = summarizeFailure(error, archiveAttempts, 'The bulk export');
    log.warn('Bulk export failed', { bulkExportId: ref.bulkExportId, error });
    await endBulkExport({ ...ref, status: 'failed', summary });
    showStatus('failed');
    countBulkExport(ref.tenantId, 'failed');
    throw ApplicationFailure.create({
      type: failureTypes.exportFailed,
      message: summary,
      nonRetryable: true,
      cause: error instanceof Error ? error : undefined,
    });
  }
  // Only counters' source (the row) and the cursor carry over: no child is in flight here.
  if (nextCursor !== null) return continueAsNew<typeof BulkExportWorkflow>({ ...input, cursor: nextCursor, runsBefore: input.runsBefore + 1 });
  showStatus('completed');
  countBulkExport(ref.tenantId, 'completed');
  return { status: 'completed', runs: input.runsBefore + 1 };
}

/**
 * Runs one batch's users through `concurrency` slots. Every slot finishes its own child
 * (recording its ending) before the batch settles, so a cancel reaches every running child
 * and the bulk's ending is written after theirs. Another failure stops new users starting.
 */
async function runChildren(input: ReturnType<typeof bulkExportWorkflowInputSchema.parse>, ref: BulkExportRef, users: BulkUserRef[]): Promise<void> {
  const queue = [...users];
  let childrenEnded = 0;
  let stopped = false;

  const runUser = async (user: BulkUserRef) => {
    let exportId: string | undefined;
    while (exportId === undefined) {
      const admission = await admitBulkChild({ ...ref, ...user });
      if (admission.kind === 'skip') return;
      if (admission.kind === 'admitted') exportId = admission.exportId;
      else {
        // Over the tenant's caps, or the user's own export is running: wait until one of
        // this bulk's children ends or the caps' retry time passes, whichever is first.
        const seen = childrenEnded;
        await condition(() => childrenEnded > seen, admission.retryAfterSeconds * 1000);
      }
    }
    const child: UserExportInput = {
      exportId,
      userId: user.userId,
      tenantId: ref.tenantId,
      environmentId: ref.environmentId,
      format: input.format,
      ...(input.from ? { from: input.from } : {}),
      ...(input.to ? { to: input.to } : {}),
    };
    let ending: 'completed' | 'failed' | 'cancelled' = 'completed';
    let summary: string | null = null;
    let cancellation: unknown;
    try {
      await executeChild(UserExportWorkflow, {
        workflowId: `user-export-${exportId}`,
        args: [child],
        // An operator terminating the parent still lets each child record its own ending.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: exportStartSearchAttributes(child),
      });
    } catch (error) {
      if (isCancellation(error)) {
        ending = 'cancelled';
        cancellation = error;
      } else {
        ending = 'failed';
        summary = childFailureSummary(error);
      }
    } finally {
      childrenEnded++;
    }
    await CancellationScope.nonCancellable(() => recordBulkChild({ ...ref, ...user, ending, summary }));
    if (cancellation) throw cancellation;
  };

  const slot = async () => {
    for (let user = queue.shift(); user && !stopped; user = queue.shift()) {
      try {
        await runUser(user);
      } catch (error) {
        stopped = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(input.concurrency, users.length) }, slot));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** The child's own summary (it ends Failed with the sentence its row holds), else one from the failure. */
function childFailureSummary(error: unknown): string {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.type === failureTypes.exportFailed && cause.message) return cause.message;
  return summarizeFailure(cause ?? error, 1);
}
