import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { userExportInputSchema, type UserExportInput, type UserExportResult } from '../../lib/exports/export.contracts';
import { failureTypes } from '../../lib/temporal/failure-types';
import { exportStartSearchAttributes, exportStatusKey } from '../../lib/temporal/search-attributes';
import type { ExportActivities } from '../activities/export.activities';
import type { NotificationActivities } from '../activities/notification.activities';
import { countExportEnded, countExportStarted } from './export-metrics';
import { categorizeFailure, summarizeFailure } from './failure-summary';
import { notificationFailureReason } from './notification-summary';

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
    nonRetryableErrorTypes: [failureTypes.validation, failureTypes.notFound],
  },
  // Wait for the activity to abort its upload before the workflow reports "cancelled".
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

// Recording the outcome is a quick row update: a local activity saves a round trip.
const { finishExport } = proxyLocalActivities<ExportActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

const notifyAttempts = 4;

// Mail is best effort with a retry policy of its own: about 15 s of retries covers a mail
// server restart; a refusal (5xx) is not retried. It never fails the export.
const { notifyExportOutcome } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: notifyAttempts,
    nonRetryableErrorTypes: [failureTypes.mailRejected],
  },
});
const { recordNotificationFailure } = proxyLocalActivities<NotificationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * Set on every run that mails the requester when the export completes or fails. Runs
 * started before it replay without the mail step.
 */
const notifyOnEndingPatch = 'export-notify-on-ending';

/**
 * Set on every run that reports its outcome as Temporal's own status (Canceled, Failed).
 * Runs started before it (their histories have no marker) keep returning `{status}` when
 * replayed, so workflows in flight at deploy time replay deterministically.
 */
const outcomeAsWorkflowStatusPatch = 'export-outcome-as-workflow-status';

/** Set on every run that keeps the ExportStatus search attribute current (older histories replay without it). */
const statusSearchAttributePatch = 'export-status-search-attribute';

/**
 * Exports one user's data. Invalid input fails at once (not retried). Whatever the ending,
 * the export row gets it first (a failure's summary, or `cancelled`); then Temporal's own
 * status says the same: a cancelled export ends Canceled, a failed one Failed, so operators
 * can filter on them.
 */
export async function UserExportWorkflow(rawInput: UserExportInput): Promise<UserExportResult> {
  // Validated here, where the input enters the worker process; the activity trusts it.
  const parsed = userExportInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => i.message).join('; ');
    throw ApplicationFailure.create({ type: failureTypes.validation, message: `Invalid export input: ${message}`, nonRetryable: true });
  }
  const input = parsed.data;
  countExportStarted(input);
  const tracksStatus = patched(statusSearchAttributePatch);
  const showStatus = (status: 'running' | 'completed' | 'failed' | 'cancelled') => {
    if (tracksStatus) upsertSearchAttributes([{ key: exportStatusKey, value: status }]);
  };
  // The scope too: a run started without it (a script, a `temporal workflow start`) is still findable by tenant.
  if (tracksStatus)
    upsertSearchAttributes([...exportStartSearchAttributes(input).filter((p) => p.key !== exportStatusKey), { key: exportStatusKey, value: 'running' }]);
  try {
    const stats = await exportUserData(input);
    showStatus('completed');
    countExportEnded(input, 'completed');
    await notifyEnding(input, 'completed');
    return { status: 'completed', ...stats };
  } catch (error) {
    if (isCancellation(error)) {
      // Recorded even though the workflow is being cancelled; then the cancellation
      // propagates, and Temporal closes the run as Canceled.
      await CancellationScope.nonCancellable(() => finishExport({ ...input, status: 'cancelled', errorSummary: null }));
      showStatus('cancelled');
      countExportEnded(input, 'cancelled');
      if (patched(outcomeAsWorkflowStatusPatch)) throw error;
      return { status: 'cancelled' };
    }
    // The row gets a fixed sentence; the raw failure goes to the worker log (and stays in
    // the history), keyed by export id, for operators.
    const errorSummary = summarizeFailure(error, maxAttempts);
    log.warn('Export failed', { exportId: input.exportId, category: categorizeFailure(error), error });
    await finishExport({ ...input, status: 'failed', errorSummary });
    showStatus('failed');
    countExportEnded(input, 'failed');
    await notifyEnding(input, 'failed');
    if (patched(outcomeAsWorkflowStatusPatch)) {
      // Non-retryable: the activity's retries are spent, a workflow retry would only repeat them.
      throw ApplicationFailure.create({
        type: failureTypes.exportFailed,
        message: errorSummary,
        nonRetryable: true,
        cause: error instanceof Error ? error : undefined,
      });
    }
    return { status: 'failed', errorSummary };
  }
}

/**
 * Mails the requester; a mail that finally cannot be sent is recorded on the row, and the
 * workflow carries on. Not cancellable: the export has already ended when it runs.
 */
async function notifyEnding(input: UserExportInput, ending: 'completed' | 'failed'): Promise<void> {
  if (!patched(notifyOnEndingPatch)) return;
  await CancellationScope.nonCancellable(async () => {
    try {
      await notifyExportOutcome({ ...input, ending });
    } catch (error) {
      const reason = notificationFailureReason(error, notifyAttempts);
      log.warn('Export notification not sent', { exportId: input.exportId, error });
      try {
        await recordNotificationFailure({ ...input, reason });
      } catch (recordError) {
        log.warn('Could not record the unsent notification', { exportId: input.exportId, error: recordError });
      }
    }
  });
}
