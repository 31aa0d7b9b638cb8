import type { WorkerDeploymentOptions } from '@temporalio/worker';
import { ConfigError, type SharedEnv } from '../lib/env';

type VersionEnv = Pick<SharedEnv, 'WORKER_DEPLOYMENT_NAME' | 'WORKER_BUILD_ID'>;

/**
 * Worker Deployment versioning, when both variables are set: every workflow is pinned to
 * the build that started it, so a release whose workflow code cannot replay old histories
 * still never touches runs in flight (docs/deploy.md has the procedure). Unset: unversioned,
 * and replay-safe changes roll out by restarting workers.
 */
export function workerDeploymentOptions(env: VersionEnv): WorkerDeploymentOptions | undefined {
  const { WORKER_DEPLOYMENT_NAME: deploymentName, WORKER_BUILD_ID: buildId } = env;
  if (!deploymentName && !buildId) return undefined;
  if (!deploymentName || !buildId) {
    const missing = deploymentName ? 'WORKER_BUILD_ID' : 'WORKER_DEPLOYMENT_NAME';
    throw new ConfigError([
      `${missing} is required when ${deploymentName ? 'WORKER_DEPLOYMENT_NAME' : 'WORKER_BUILD_ID'} is set: set both for a versioned worker, or neither`,
    ]);
  }
  return { version: { deploymentName, buildId }, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' };
}
