import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { resolveTool } from '../../stack/binaries';
import { sleep, spawnManaged } from '../../stack/processes';

/**
 * Experiment only (`npm run bench -- --temporal=wal`): the Temporal dev server exactly as
 * scripts/stack/temporal.ts starts it (same flags, eager activities on), plus SQLite in WAL
 * mode with synchronous=NORMAL, its database in a directory of its own. The default keeps
 * SQLite's rollback journal with synchronous=FULL: several fsyncs per workflow step, which
 * is what limits how many workflow starts per second the dev server takes on this machine.
 */
export async function startTemporalWal(opts: {
  dataDir: string;
  port: number;
  uiPort: number;
  env: Record<string, string | undefined>;
  log: (line: string) => void;
}): Promise<{ address: string; uiUrl: string; stop(): Promise<void> }> {
  const bin = await resolveTool('temporal', { env: opts.env, log: opts.log });
  const stateDir = path.join(opts.dataDir, 'temporal-wal');
  await mkdir(stateDir, { recursive: true });
  const address = `127.0.0.1:${opts.port}`;
  const proc = await spawnManaged({
    name: 'temporal-wal',
    bin,
    dataDir: opts.dataDir,
    args: [
      'server', 'start-dev',
      '--db-filename', path.join(stateDir, 'temporal.db'),
      '--ip', '127.0.0.1',
      '--port', String(opts.port),
      '--ui-port', String(opts.uiPort),
      '--namespace', 'default',
      '--log-level', 'warn',
      '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
      '--sqlite-pragma', 'journal_mode=wal',
      '--sqlite-pragma', 'synchronous=normal',
    ],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
      } finally {
        await connection.close();
      }
      break;
    } catch (error) {
      if (proc.hasExited() || Date.now() > deadline) {
        await proc.stop();
        throw new Error(`Temporal (WAL) did not start: ${error instanceof Error ? error.message : error}\n${proc.tail()}`);
      }
      await sleep(250);
    }
  }
  opts.log(`experiment: Temporal dev server with SQLite WAL + synchronous=normal at ${address}`);
  return { address, uiUrl: `http://127.0.0.1:${opts.uiPort}`, stop: proc.stop };
}
