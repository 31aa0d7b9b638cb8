import { ActivityCancellationType, ApplicationFailure, CancellationScope, isCancellation, log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { userExportInputSchema, type UserExportInput, type UserExportResult } from '../../lib/exports/export.contracts';
import type { ExportActivities } from '../activities/export.activities';
import { categorizeFailure, summarizeFailure } from './failure-summary';

const maxAttempts = 3;

// The seed's retry policy, plus a heartbeat timeout so a lost worker is noticed in ~30 s
// instead of at the one-hour start-to-close timeout.
const { exportUserData } = proxyActivities<ExportActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: maxAttempts,
    nonRetryableErrorTypes: ['ValidationError', 'NotFound'],
  },
  // Wait for the activity to abort its upload before the workflow reports "cancelled".
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

// Recording the outcome is a quick row update: a local activity saves a round trip.
const { finishExport } = proxyLocalActivities<ExportActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * Exports one user's data. Invalid input fails at once (not retried). An activity failure
 * ends as a `failed` result with a summary instead of a thrown error (the seed's contract);
 * cancellation ends as `cancelled`.
 */
export async function UserExportWorkflow(rawInput: UserExportInput): Promise<UserExportResult> {
  const parsed = userExportInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => i.message).join('; ');
    throw ApplicationFailure.create({ type: 'ValidationError', message: `Invalid export input: ${message}`, nonRetryable: true });
  }
  const input = parsed.data;
  try {
    const file = await exportUserData(input);
    return { status: 'completed', ...file };
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => finishExport({ ...input, status: 'cancelled', errorSummary: null }));
      return { status: 'cancelled' };
    }
    // The row gets a fixed sentence; the raw failure goes to the worker log (and stays in
    // the history), keyed by export id, for operators.
    const errorSummary = summarizeFailure(error, maxAttempts);
    log.warn('Export failed', { exportId: input.exportId, category: categorizeFailure(error), error });
    await finishExport({ ...input, status: 'failed', errorSummary });
    return { status: 'failed', errorSummary };
  }
}
