import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../../lib/temporal/search-attributes';
import { sleep, spawnManaged, type ManagedProcess } from './processes';

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

  const proc = await spawnManaged({
    name: 'temporal',
    bin: opts.bin,
    dataDir: opts.dataDir,
    log: opts.verbose ? opts.log : undefined,
    args: [
      'server', 'start-dev',
      '--db-filename', path.join(stateDir, 'temporal.db'),
      '--ip', '127.0.0.1',
      '--port', String(opts.port),
      '--ui-port', String(opts.uiPort),
      '--namespace', namespace,
      '--log-level', 'warn',
      // Lets the worker run the first activity of a workflow task without a round trip.
      '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
      // SQLite in WAL mode with relaxed fsync: under load (200 exports at once, a busy CI
      // machine) the default journal made workflow starts time out (docs/benchmarks.md).
      '--sqlite-pragma', 'journal_mode=wal',
      '--sqlite-pragma', 'synchronous=normal',
      // The exports' search attributes (ExportTenant, ExportStatus, …) for operators' filters.
      ...devServerSearchAttributeArgs(),
    ],
  });

  try {
    await waitUntilReady(proc, address, uiUrl, namespace, opts.timeoutMs ?? 60_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { address, uiUrl, stop: proc.stop };
}

async function waitUntilReady(proc: ManagedProcess, address: string, uiUrl: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not polled yet';
  let frontendUp = false;
  while (Date.now() < deadline) {
    if (proc.hasExited()) {
      const info = await proc.exited;
      throw new Error(`Temporal dev server exited during startup (${info.signal ?? `exit ${info.code}`})\n--- last output ---\n${proc.tail()}`);
    }
    try {
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
      if (res.status < 500) return;
      lastError = `UI at ${uiUrl} answered HTTP ${res.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new Error(
    `Temporal dev server not ready within ${timeoutMs / 1000}s at ${address} (UI ${uiUrl}): ${lastError}\n--- last output ---\n${proc.tail()}`,
  );
}
