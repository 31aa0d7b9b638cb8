import { proxyActivities } from '@temporalio/workflow';
import type { RetentionReport } from '../../lib/exports/export-retention';
import type { RetentionActivities, RetentionSweepInput } from '../activities/retention.activities';

// A sweep is bounded (batchSize per environment): a few S3 deletes and row updates each. The
// heartbeat notices a lost worker; the next scheduled run retries anything missed.
const { sweepExpiredExports } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 2, initialInterval: '10 seconds' },
});

/** Started by the `retention-sweep` Schedule (worker/schedules.ts) every hour. */
export async function RetentionSweepWorkflow(input: RetentionSweepInput): Promise<RetentionReport> {
  return sweepExpiredExports(input);
}
