import { Context } from '@temporalio/activity';
import { sweepExpiredExports, type RetentionDeps, type RetentionReport } from '../../lib/exports/export-retention';

export interface RetentionSweepInput {
  /** At most this many exports per environment per sweep; the next sweep takes the rest. */
  batchSize: number;
}

/** The retention sweep as an activity: it deletes S3 objects and writes rows, which workflows cannot. */
export function createRetentionActivities(deps: RetentionDeps) {
  return {
    async sweepExpiredExports(input: RetentionSweepInput): Promise<RetentionReport> {
      const ctx = Context.current();
      return sweepExpiredExports(deps, { batchSize: input.batchSize, onProgress: (done) => ctx.heartbeat(done) });
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
