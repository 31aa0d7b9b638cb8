import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { AppError } from '../errors';
import { resetTemporalClient } from './client';
import { isRegisteredWorkflow, taskQueueName, workflowRegistry, type WorkflowType } from './registry';

/** Temporal unreachable → 503 with a hint, never a hang or a 500. */
export function temporalUnavailable(cause: unknown): AppError {
  resetTemporalClient();
  return new AppError('unavailable', 'The workflow service (Temporal) is unavailable', 'Exports cannot start or change right now; try again in a minute.', {
    retryAfterSeconds: 30,
    cause,
  });
}

/**
 * Starts a registered workflow type on its task queue. The workflow id is the caller's
 * (ids only, never emails); starting the same id twice is not an error.
 */
export async function startRegisteredWorkflow(
  client: Client,
  type: WorkflowType,
  params: { workflowId: string; args: unknown[]; env: { TEMPORAL_TASK_QUEUE: string }; searchAttributes?: SearchAttributePair[] },
): Promise<void> {
  if (!isRegisteredWorkflow(type)) throw new Error(`Workflow type ${String(type)} is not registered`);
  try {
    // A deadline so a Temporal outage becomes a prompt 503 rather than gRPC's long retries.
    await client.connection.withDeadline(Date.now() + 5_000, () =>
      client.workflow.start(type, {
        taskQueue: taskQueueName(workflowRegistry[type].queue, params.env),
        workflowId: params.workflowId,
        args: params.args,
        typedSearchAttributes: params.searchAttributes,
      }),
    );
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw temporalUnavailable(error);
  }
}
