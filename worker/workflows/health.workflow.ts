import { proxyActivities } from '@temporalio/workflow';
import type { HealthCheckInput, HealthCheckResult } from '../../lib/health/health.contracts';
import type { HealthActivities } from '../activities/health.activities';

// A probe should answer within seconds or report that something is down.
const { checkDependencies } = proxyActivities<HealthActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 2, initialInterval: '1 second' },
});

/** Runs one activity that touches Postgres and S3: proves worker, Temporal, DB and storage together. */
export async function HealthCheckWorkflow(input: HealthCheckInput): Promise<HealthCheckResult> {
  return checkDependencies(input);
}
