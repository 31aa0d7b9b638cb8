import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { userExportInputSchema, type ExportFileResult, type UserExportInput } from '../../lib/exports/export.contracts';
import { countUserEvents } from '../../lib/exports/export-context.repository';
import { markExportRunning, updateExportProgress, updateExportStatus } from '../../lib/exports/export.repository';
import { runExport, type ExportRunnerDeps, type ExportRunOptions } from '../../lib/exports/export-runner';
import { isAppError } from '../../lib/errors';
import { retryTransient } from '../../lib/retry';
import { describeExportError } from './describe-error';

export interface ExportActivityDeps extends ExportRunnerDeps {
  retentionDays: number;
  /** Tuning passed through to the runner (benchmarks vary these). */
  runOptions?: Pick<ExportRunOptions, 'partSize' | 'queueSize' | 'compressionLevel' | 'progressIntervalMs'>;
}

export interface FinishExportInput extends UserExportInput {
  status: 'failed' | 'cancelled';
  errorSummary: string | null;
}

function validate(input: UserExportInput): UserExportInput {
  const parsed = userExportInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.create({ type: 'ValidationError', message: parsed.error.issues.map((i) => i.message).join('; '), nonRetryable: true });
}

/** Activities built over their dependencies (samples-typescript's dependency-injection pattern). */
export function createExportActivities(deps: ExportActivityDeps) {
  return {
    async exportUserData(rawInput: UserExportInput): Promise<ExportFileResult> {
      const input = validate(rawInput);
      const ctx = Context.current();
      const scope = { tenantId: input.tenantId, environmentId: input.environmentId };
      // Heartbeat on a timer for the whole attempt, not only when rows move: waits on a
      // briefly unavailable database or S3 must not look like a lost worker.
      let rowsExported = 0;
      let heartbeats = 0;
      const beat = () => {
        heartbeats++;
        ctx.heartbeat({ rowsExported });
      };
      const ticker = setInterval(beat, deps.runOptions?.progressIntervalMs ?? 1_000);
      const patiently = <T>(fn: () => Promise<T>) => retryTransient(fn, { signal: ctx.cancellationSignal, onRetry: beat });
      try {
        const total = await patiently(() => countUserEvents(deps.db, input));
        const started = await patiently(() => markExportRunning(deps.db, scope, input.exportId, total));
        if (started.numUpdatedRows === 0n) {
          throw ApplicationFailure.create({ type: 'NotFound', message: `Export ${input.exportId} is not queued or running in this environment`, nonRetryable: true });
        }
        const file = await runExport(deps, input, {
          ...deps.runOptions,
          signal: ctx.cancellationSignal,
          // The row is what pages read; a failed progress write is simply retried next tick.
          onProgress: (rows) => {
            rowsExported = rows;
            updateExportProgress(deps.db, scope, input.exportId, rows).catch(() => {});
          },
        });
        const now = new Date();
        await patiently(() =>
          updateExportStatus(deps.db, scope, input.exportId, ['running'], {
            status: 'completed',
            rows_exported: file.rows,
            rows_total: file.rows,
            bytes: file.bytes,
            sha256: file.sha256,
            object_key: file.objectKey,
            file_name: file.fileName,
            completed_at: now,
            expires_at: new Date(now.getTime() + deps.retentionDays * 24 * 3600 * 1000),
            error_summary: null,
          }),
        );
        return { ...file, heartbeats };
      } catch (error) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('Export cancelled', undefined, error instanceof Error ? error : undefined);
        if (isAppError(error) && (error.code === 'not_found' || error.code === 'validation')) {
          throw ApplicationFailure.create({ type: error.code === 'not_found' ? 'NotFound' : 'ValidationError', message: error.message, nonRetryable: true });
        }
        throw describeExportError(error);
      } finally {
        clearInterval(ticker);
      }
    },

    /** Records a failed or cancelled ending; never overwrites an export that already ended. */
    async finishExport(input: FinishExportInput): Promise<void> {
      await updateExportStatus(deps.db, { tenantId: input.tenantId, environmentId: input.environmentId }, input.exportId, ['queued', 'running'], {
        status: input.status,
        error_summary: input.errorSummary,
        completed_at: new Date(),
      });
    },
  };
}

export type ExportActivities = ReturnType<typeof createExportActivities>;
