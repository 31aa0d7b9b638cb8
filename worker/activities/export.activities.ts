import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ExportAttemptStats, UserExportInput } from '../../lib/exports/export.contracts';
import { countUserEvents } from '../../lib/exports/export-context.repository';
import { offerFileToRow } from '../../lib/exports/export-completion';
import { failExport, markExportCancelled, markExportRunning, recordExportProgress } from '../../lib/exports/export-lifecycle';
import { findExportOutcome } from '../../lib/exports/export.repository';
import { runExport, type ExportRunnerDeps, type ExportRunOptions } from '../../lib/exports/export-runner';
import { isAppError } from '../../lib/errors';
import { retryTransient } from '../../lib/retry';
import { failureTypes } from '../../lib/temporal/failure-types';
import { describeExportError } from './describe-error';
import { recordExportAttempt } from './export-attempt-metrics';

export interface ExportActivityDeps extends ExportRunnerDeps {
  retentionSeconds: number;
  /** Tuning passed through to the runner (benchmarks vary these). */
  runOptions?: Pick<ExportRunOptions, 'partSize' | 'queueSize' | 'compressionLevel' | 'progressIntervalMs' | 'stallTimeoutMs'>;
}

export interface FinishExportInput extends UserExportInput {
  status: 'failed' | 'cancelled';
  errorSummary: string | null;
}

/**
 * Activities built over their dependencies (samples-typescript's dependency-injection
 * pattern). They are thin: the export itself is lib/exports/export-runner.ts, every status
 * write is lib/exports/export-lifecycle.ts. Input is not validated again here: it crossed
 * into this process as the workflow's input, and the workflow validated it.
 */
export function createExportActivities(deps: ExportActivityDeps) {
  return {
    /** Writes the file and completes the row. The file's facts live in the row, not in Temporal. */
    async exportUserData(input: UserExportInput): Promise<ExportAttemptStats> {
      const ctx = Context.current();
      // Narrowed to the input's user: a row whose user differs is not this export's.
      const scope = { tenantId: input.tenantId, environmentId: input.environmentId, userId: input.userId };
      // A heartbeat proves the export moves, not that the process lives: the runner's
      // progress tick beats only when rows or ZIP bytes moved since the last beat, so an
      // export stalled on S3 or a lock misses the heartbeat timeout and is retried. Waits
      // on a briefly unavailable database beat too (patiently): they are bounded (~30 s).
      let rowsExported = 0;
      let heartbeats = 0;
      const beat = () => {
        heartbeats++;
        ctx.heartbeat({ rowsExported });
      };
      let lastMoved = '';
      const beatIfMoved = (rows: number, bytes: number) => {
        const moved = `${rows}:${bytes}`;
        if (moved === lastMoved) return;
        lastMoved = moved;
        beat();
      };
      const patiently = <T>(fn: () => Promise<T>) => retryTransient(fn, { signal: ctx.cancellationSignal, onRetry: beat });
      const startedAt = performance.now();
      beat();
      try {
        // A ranged export counts its range; the whole user's count is kept in a table.
        const total = await patiently(() => countUserEvents(deps.db, input));
        if (!(await patiently(() => markExportRunning(deps.db, scope, input.exportId, total)))) {
          // An earlier attempt completed the export and its worker died before Temporal
          // heard (kill -9 after the row's commit): this attempt is redundant, not failed.
          if ((await patiently(() => findExportOutcome(deps.db, scope, input.exportId)))?.status === 'completed') return { heartbeats };
          throw ApplicationFailure.create({
            type: failureTypes.notFound,
            message: `Export ${input.exportId} is not queued or running in this environment`,
            nonRetryable: true,
          });
        }
        ctx.log.info('Export attempt started', { totalRows: total });
        const file = await runExport(deps, input, {
          ...deps.runOptions,
          attempt: ctx.info.attempt,
          signal: ctx.cancellationSignal,
          // The row is what pages read; a failed progress write is simply retried next tick.
          onProgress: (rows, bytes) => {
            rowsExported = rows;
            beatIfMoved(rows, bytes);
            recordExportProgress(deps.db, scope, input.exportId, rows).catch(() => {});
          },
        });
        const outcome = await offerFileToRow(deps, scope, input.exportId, file, { signal: ctx.cancellationSignal, patiently });
        ctx.log.info('Export file stored', { rows: file.rows, bytes: file.bytes, taken: outcome.taken });
        if (!outcome.taken) {
          ctx.cancellationSignal.throwIfAborted();
          // Another attempt's file completed the export: this one is redundant, not failed.
          if (outcome.status === 'completed') return { heartbeats };
          throw ApplicationFailure.create({
            type: failureTypes.superseded,
            message: `Export ${input.exportId} ended (${outcome.status ?? 'gone'}) before this attempt finished`,
            nonRetryable: true,
          });
        }
        recordExportAttempt(ctx.metricMeter, input, file, (performance.now() - startedAt) / 1000);
        return { heartbeats };
      } catch (error) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('Export cancelled', undefined, error instanceof Error ? error : undefined);
        if (isAppError(error) && (error.code === 'not_found' || error.code === 'validation')) {
          throw ApplicationFailure.create({
            type: error.code === 'not_found' ? failureTypes.notFound : failureTypes.validation,
            message: error.message,
            nonRetryable: true,
          });
        }
        throw describeExportError(error);
      }
    },

    /** Records a failed or cancelled ending; the lifecycle never lets it overwrite one that already ended. */
    async finishExport(input: FinishExportInput): Promise<void> {
      const scope = { tenantId: input.tenantId, environmentId: input.environmentId, userId: input.userId };
      if (input.status === 'cancelled') await markExportCancelled(deps.db, scope, input.exportId);
      else await failExport(deps.db, scope, input.exportId, input.errorSummary ?? '');
    },
  };
}

export type ExportActivities = ReturnType<typeof createExportActivities>;
