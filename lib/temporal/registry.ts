/**
 * Every workflow type the app may start, with its task queue. Starting a type that is not
 * listed here is refused; the worker registers from the same names. No Temporal imports:
 * the web app, the worker and the workflow bundle all read this file.
 */
export type TaskQueueKey = 'export';

export const workflowRegistry = {
  UserExportWorkflow: { queue: 'export' },
  BulkExportWorkflow: { queue: 'export' },
  HealthCheckWorkflow: { queue: 'export' },
  ReconcileExportsWorkflow: { queue: 'export' },
  RetentionSweepWorkflow: { queue: 'export' },
} as const satisfies Record<string, { queue: TaskQueueKey }>;

export type WorkflowType = keyof typeof workflowRegistry;

export function isRegisteredWorkflow(name: string): name is WorkflowType {
  return Object.hasOwn(workflowRegistry, name);
}

/** Task queue names come from configuration so several deployments can share a cluster. */
export function taskQueueName(key: TaskQueueKey, env: { TEMPORAL_TASK_QUEUE: string }): string {
  switch (key) {
    case 'export':
      return env.TEMPORAL_TASK_QUEUE;
  }
}
