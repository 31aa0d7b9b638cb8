import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * Keeps one child running for `npm run dev`: restarts it when it dies (a crash, an OOM
 * kill, `kill -9`) and when a watched source file changes, and says so on the console.
 * `tsx watch` only restarts on a file change: a dead worker stayed dead, silently, while
 * exports sat in `running` (issue 10).
 */
export interface SuperviseOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Directories whose .ts files restart the child on change. */
  watch: string[];
  /** Console lines from the supervisor itself. */
  log: (line: string) => void;
  /** The child's stdout/stderr chunks. */
  output: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
}

export interface Supervised {
  /** Pid of the current child, if one is running. */
  pid(): number | undefined;
  stop(): Promise<void>;
}

// A child that dies within this long of starting is crash-looping: wait longer each time.
const HEALTHY_AFTER_MS = 10_000;
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
const DEBOUNCE_MS = 300;
// The worker drains for up to 20 s on SIGTERM (worker/create-workers.ts shutdownGraceTime).
const STOP_GRACE_MS = 25_000;

export function supervise(opts: SuperviseOptions): Supervised {
  let child: ChildProcess | undefined;
  let startedAt = 0;
  let delay = FIRST_DELAY_MS;
  let stopping = false;
  let restartReason: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const start = () => {
    timer = undefined;
    startedAt = Date.now();
    const proc = spawn(opts.command, opts.args, { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (chunk: Buffer) => opts.output(chunk, 'stdout'));
    proc.stderr?.on('data', (chunk: Buffer) => opts.output(chunk, 'stderr'));
    proc.once('error', (error) => opts.log(`${opts.name} could not be started: ${error.message}`));
    proc.once('close', (code, signal) => onExit(proc, signal ?? `exit ${code}`));
    opts.log(`${opts.name} started (pid ${proc.pid})`);
  };

  const onExit = (proc: ChildProcess, how: string) => {
    if (child !== proc) return;
    child = undefined;
    if (stopping) return;
    if (restartReason) {
      opts.log(`${opts.name} stopped (${how}); restarting: ${restartReason}`);
      restartReason = undefined;
      delay = FIRST_DELAY_MS;
      start();
      return;
    }
    if (Date.now() - startedAt >= HEALTHY_AFTER_MS) delay = FIRST_DELAY_MS;
    opts.log(`${opts.name} (pid ${proc.pid}) died (${how}); restarting in ${delay / 1000}s`);
    timer = setTimeout(start, delay);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  };

  const restart = (reason: string) => {
    if (stopping) return;
    if (!child) {
      // Waiting out a crash delay: a fix to the code is worth trying at once.
      if (timer) clearTimeout(timer);
      opts.log(`restarting ${opts.name}: ${reason}`);
      start();
      return;
    }
    restartReason = reason;
    terminate(child);
  };

  const watchers: FSWatcher[] = opts.watch.map((dir) =>
    watch(dir, { recursive: true }, (_event, file) => {
      if (!file || !/\.(ts|mts|js|mjs)$/.test(file)) return;
      clearTimeout(debounce);
      debounce = setTimeout(() => restart(`${path.join(path.relative(opts.cwd, dir), file)} changed`), DEBOUNCE_MS);
    }),
  );

  start();
  return {
    pid: () => child?.pid,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      clearTimeout(debounce);
      for (const watcher of watchers) watcher.close();
      if (child) await terminate(child);
    },
  };
}

function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
    proc.once('close', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}
