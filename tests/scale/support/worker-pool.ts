import type { ExitInfo, StartedChild } from '../../../scripts/lib/child-process';
import { startWorker } from '../../support/processes';

/** Compiled worker processes polling one task queue; members are replaced in place. */
export class WorkerPool {
  private constructor(
    private readonly env: Record<string, string>,
    readonly workers: StartedChild[],
  ) {}

  static async start(env: Record<string, string>, size: number): Promise<WorkerPool> {
    const started = await Promise.allSettled(Array.from({ length: size }, () => startWorker(env)));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.stop()));
      throw failed.reason;
    }
    return new WorkerPool(env, workers);
  }

  /** `kill -9` member `index`: no drain, no goodbye to Temporal. */
  async kill9(index: number): Promise<ExitInfo> {
    const worker = this.workers[index]!;
    worker.kill('SIGKILL');
    return worker.exited;
  }

  /** Starts a new member in place of `index`; resolves once it polls. */
  async replace(index: number): Promise<void> {
    this.workers[index] = await startWorker(this.env);
  }

  /**
   * SIGTERM each member in turn (after `beforeEach`), start its replacement, and wait until
   * the replacement polls and the old one has exited. Returns how each old member exited.
   */
  async rollingRestart(beforeEach: (index: number) => void = () => {}): Promise<ExitInfo[]> {
    const exits: ExitInfo[] = [];
    for (let i = 0; i < this.workers.length; i++) {
      const leaving = this.workers[i]!;
      beforeEach(i);
      leaving.kill('SIGTERM');
      await this.replace(i);
      exits.push(await leaving.exited);
    }
    return exits;
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}
