import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../../lib/temporal/search-attributes';
import { startChild } from '../lib/child-process';

/** Temporal dev server (`temporal server start-dev`) with its state in `<dataDir>/temporal`. */

export interface TemporalOptions {
  bin: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace?: string;
  log?: (line: string) => void;
  verbose?: boolean;
  timeoutMs?: number;
}

export interface RunningTemporal {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export async function startTemporal(opts: TemporalOptions): Promise<RunningTemporal> {
  const namespace = opts.namespace ?? 'default';
  const address = `127.0.0.1:${opts.port}`;
  const uiUrl = `http://127.0.0.1:${opts.uiPort}`;
  const stateDir = path.join(opts.dataDir, 'temporal');
  await mkdir(stateDir, { recursive: true });

  const proc = await startChild({
    name: 'temporal',
    command: opts.bin,
    pidDir: opts.dataDir,
    onLine: opts.verbose ? (line) => opts.log?.(`[temporal] ${line}`) : undefined,
    args: [
      'server',
      'start-dev',
      '--db-filename',
      path.join(stateDir, 'temporal.db'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--ui-port',
      String(opts.uiPort),
      '--namespace',
      namespace,
      '--log-level',
      'warn',
      // Lets the worker run the first activity of a workflow task without a round trip.
      '--dynamic-config-value',
      'system.enableActivityEagerExecution=true',
      // SQLite in WAL mode with relaxed fsync: under load (200 exports at once, a busy CI
      // machine) the default journal made workflow starts time out (docs/benchmarks.md).
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
      // The exports' search attributes (ExportTenant, ExportStatus, …) for operators' filters.
      ...devServerSearchAttributeArgs(),
    ],
    ready: { probe: readiness(address, uiUrl, namespace) },
    readyTimeoutMs: opts.timeoutMs ?? 60_000,
  });

  return { address, uiUrl, stop: proc.stop };
}

/** Ready once the frontend answers, the namespace is registered and the UI serves. */
function readiness(address: string, uiUrl: string, namespace: string): () => Promise<boolean> {
  let frontendUp = false;
  return async () => {
    if (!frontendUp) {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await connection.workflowService.getSystemInfo({});
        // The namespace is registered a moment after the frontend answers.
        await connection.workflowService.describeNamespace({ namespace });
      } finally {
        await connection.close();
      }
      frontendUp = true;
    }
    const res = await fetch(uiUrl, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    if (res.status >= 500) throw new Error(`UI at ${uiUrl} answered HTTP ${res.status}`);
    return true;
  };
}
