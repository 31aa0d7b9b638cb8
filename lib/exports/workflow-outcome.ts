import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/**
 * What Temporal knows of a workflow whose row is still open, as the reconcilers read it:
 * null while it runs (it will record its own ending), else how the row should end.
 */
export type Repair = 'not-started' | 'cancelled' | 'failed' | 'terminated' | 'timed-out' | 'ended-unrecorded';

export type WorkflowReader = Pick<Client, 'workflow'>;

export async function workflowOutcome(temporal: WorkflowReader, workflowId: string): Promise<Repair | null> {
  const handle = temporal.workflow.getHandle(workflowId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'not-started';
    throw error;
  }
  switch (status) {
    case 'CANCELLED':
      return 'cancelled';
    case 'TERMINATED':
      return 'terminated';
    case 'TIMED_OUT':
      return 'timed-out';
    case 'COMPLETED':
      // A completed run records its file before it completes; a row still in flight lost it.
      return 'ended-unrecorded';
    case 'FAILED':
      // A cancel that could not be recorded fails the run; the admin asked for a cancel.
      return (await wasCancelRequested(handle)) ? 'cancelled' : 'failed';
    default:
      // Running (or continued): the workflow will record its own ending.
      return null;
  }
}

async function wasCancelRequested(handle: ReturnType<WorkflowReader['workflow']['getHandle']>): Promise<boolean> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).some((e) => e.workflowExecutionCancelRequestedEventAttributes);
}
