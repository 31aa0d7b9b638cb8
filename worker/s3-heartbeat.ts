import { Context } from '@temporalio/activity';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * The export heartbeats only when rows or bytes move, but an S3 outage moves nothing while
 * the worker client's patient retries (~45 s) run. So each S3 request attempt made inside
 * an activity beats too: a refused or failing S3 is a dependency being waited on (the
 * attempt ends with the storage summary), while one request that hangs sends no beat and
 * is ended by its socket timeout. Outside an activity there is no context and nothing to do.
 */
export function heartbeatOnS3Requests(client: S3Client): void {
  client.middlewareStack.add(
    (next) => (args) => {
      let ctx: Context | undefined;
      try {
        ctx = Context.current();
      } catch {
        ctx = undefined;
      }
      ctx?.heartbeat();
      return next(args);
    },
    // finalizeRequest, after the retry middleware: once per attempt, retries included.
    { step: 'finalizeRequest', name: 'heartbeatOnS3Requests', priority: 'low' },
  );
}
