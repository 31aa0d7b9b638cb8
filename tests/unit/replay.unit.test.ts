import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { historiesDir, parseHistory } from '../support/histories';
import { quietTemporalLogs } from '../support/worker';
import { workerTelemetryOptions, workflowInterceptorModules } from '../../worker/tracing';

/**
 * Workflow histories recorded from real runs (completed, failed, cancelled, invalid input,
 * worker killed, Temporal restarted, S3 outages) replayed against today's workflow code: a
 * change that would break running workflows (non-determinism) fails here. Refresh them
 * with CAPTURE_HISTORIES=1 npm test when a workflow changes on purpose (and version it).
 * Replayed with the tracing interceptors every worker bundles, as production runs them.
 */
describe('workflow determinism', () => {
  it('replays every recorded history against the current workflow code', async () => {
    quietTemporalLogs();
    const files = (await readdir(historiesDir)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(6);
    const histories = await Promise.all(
      files.map(async (file) => ({ workflowId: file.replace(/\.json$/, ''), history: parseHistory(await readFile(new URL(file, historiesDir), 'utf8')) })),
    );
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      {
        workflowsPath: fileURLToPath(new URL('../../worker/workflows/index.ts', import.meta.url)),
        replayName: 'determinism',
        interceptors: { workflowModules: workflowInterceptorModules },
        sinks: workerTelemetryOptions(undefined).sinks,
      },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
