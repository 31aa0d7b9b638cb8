import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { spawnChild, type Child } from './child-process';

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
  /** The child's stdout/stderr lines. */
  output: (line: string, stream: 'stdout' | 'stderr') => void;
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
  let child: Child | undefined;
  let startedAt = 0;
  let delay = FIRST_DELAY_MS;
  let stopping = false;
  let restartReason: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const start = () => {
    timer = undefined;
    startedAt = Date.now();
    const proc = spawnChild({
      name: opts.name,
      command: opts.command,
      args: opts.args,
      cwd: opts.cwd,
      env: opts.env,
      onLine: opts.output,
      stopGraceMs: STOP_GRACE_MS,
    });
    child = proc;
    void proc.exited.then(({ code, signal, error }) => {
      if (error) opts.log(`${opts.name} could not be started: ${error.message}`);
      onExit(proc, signal ?? `exit ${code}`);
    });
    opts.log(`${opts.name} started (pid ${proc.pid})`);
  };

  const onExit = (proc: Child, how: string) => {
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
    void child.stop();
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
      await child?.stop();
    },
  };
}
