import type { WorkflowInterceptors } from '@temporalio/workflow';
import { exportIdsOf } from '../export-ids';

/**
 * Workflow interceptors (bundled with the workflow code, see worker/tracing.ts) that add the
 * export ids of the workflow's input to its `log` lines; the SDK adds the workflow id, run
 * id and type. Logging only: no command changes, so histories replay as before.
 */
export const interceptors = (): WorkflowInterceptors => {
  let ids: Record<string, string> = {};
  return {
    inbound: [
      {
        execute(input, next) {
          ids = exportIdsOf(input.args[0]);
          return next(input);
        },
      },
    ],
    outbound: [{ getLogAttributes: (attributes, next) => next({ ...ids, ...attributes }) }],
  };
};
