import { NativeConnection, Worker } from '@temporalio/worker';
import { explainConnectError, temporalConnectionOptions } from '../lib/temporal/connection';
import { taskQueueName } from '../lib/temporal/registry';
import { workerDeploymentOptions } from './deployment-version';
import { registrations, type WorkerDeps } from './registration';
import { workflowCode } from './workflow-code';

/**
 * Builds one Temporal worker per registered task queue, sharing one connection.
 * `bundleDir`: where `npm run build` put the prebuilt workflow bundles; without it the
 * workflows are bundled from source at start (dev and tests).
 */
export async function createWorkers(
  deps: WorkerDeps,
  connection?: NativeConnection,
  bundleDir?: string,
): Promise<{ workers: Worker[]; connection: NativeConnection }> {
  const deployment = workerDeploymentOptions(deps.env);
  const conn =
    connection ??
    (await NativeConnection.connect(temporalConnectionOptions(deps.env)).catch(async (error: unknown) => {
      throw await explainConnectError(error, deps.env);
    }));
  const workers = await Promise.all(
    registrations.map((registration) =>
      Worker.create({
        connection: conn,
        namespace: deps.env.TEMPORAL_NAMESPACE,
        taskQueue: taskQueueName(registration.queue, deps.env),
        ...workflowCode(registration, bundleDir),
        activities: registration.activities(deps),
        maxConcurrentActivityTaskExecutions: deps.env.WORKER_MAX_CONCURRENT_ACTIVITIES,
        maxConcurrentWorkflowTaskExecutions: deps.env.WORKER_MAX_CONCURRENT_WORKFLOWS,
        // Give a running export time to hand over on SIGTERM: activities see the
        // cancellation, abort their upload, and Temporal retries them on another worker.
        shutdownGraceTime: '20 seconds',
        // Heartbeats reach Temporal at most this often: progress and cancellation arrive
        // within ~2 s instead of the default 80% of the heartbeat timeout.
        maxHeartbeatThrottleInterval: '2 seconds',
        defaultHeartbeatThrottleInterval: '2 seconds',
        workerDeploymentOptions: deployment,
      }),
    ),
  );
  return { workers, connection: conn };
}
