import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Pid records of the stack's children (and the bench's) in the data dir, so the next run
 * can clean up after a run that was killed with SIGKILL (children outlive it), and the
 * /proc helpers that tell whether a recorded pid is still ours. Children are started by
 * scripts/lib/child-process.ts.
 */

const STOP_GRACE_MS = 10_000;

// ---------------------------------------------------------------------------------------
// Pid record: <dataDir>/stack.pids.json

export interface PidEntry {
  name: string;
  pid: number;
  /** Absolute binary path: a live pid is only ours if its argv[0] is this. */
  bin: string;
  stopSignal: NodeJS.Signals;
}

interface PidFile {
  /** The node process that started the stack, to tell a live run from a dead one. */
  owner?: { pid: number; host: string };
  entries: PidEntry[];
}

const pidFilePath = (dataDir: string) => path.join(dataDir, 'stack.pids.json');

// Services start in parallel; serialise read-modify-write of the file within this process.
let pidFileQueue: Promise<unknown> = Promise.resolve();
function updatePidFile(dataDir: string, update: (file: PidFile) => PidFile): Promise<void> {
  const next = pidFileQueue.then(async () => {
    const file = update(await readPidFile(dataDir));
    await mkdir(dataDir, { recursive: true });
    const tmp = `${pidFilePath(dataDir)}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`);
    await rename(tmp, pidFilePath(dataDir));
  });
  pidFileQueue = next.catch(() => undefined);
  return next;
}

async function readPidFile(dataDir: string): Promise<PidFile> {
  try {
    const parsed = JSON.parse(await readFile(pidFilePath(dataDir), 'utf8')) as Partial<PidFile>;
    return { owner: parsed.owner, entries: Array.isArray(parsed.entries) ? parsed.entries : [] };
  } catch {
    return { entries: [] };
  }
}

export function recordPid(dataDir: string, entry: PidEntry): Promise<void> {
  return updatePidFile(dataDir, (file) => ({
    owner: { pid: process.pid, host: hostname() },
    entries: [...file.entries.filter((e) => e.pid !== entry.pid), entry],
  }));
}

export function forgetPid(dataDir: string, pid: number): Promise<void> {
  return updatePidFile(dataDir, (file) => ({ ...file, entries: file.entries.filter((e) => e.pid !== pid) }));
}

/**
 * Before a run: if the previous run's owner is still alive, refuse (two stacks on one data
 * dir would corrupt it); otherwise stop whichever of its children survived it.
 */
export async function killLeftovers(dataDir: string, log: (line: string) => void): Promise<void> {
  const file = await readPidFile(dataDir);
  const owner = file.owner;
  // A child still parented by the recorded owner means that run is alive, not leftover.
  if (owner && owner.pid !== process.pid && owner.host === hostname()) {
    for (const entry of file.entries) {
      if ((await isOurs(entry)) && (await parentPid(entry.pid)) === owner.pid) {
        throw new Error(`another stack (pid ${owner.pid}) is running on ${dataDir}; stop it first (Ctrl-C it, or kill ${owner.pid})`);
      }
    }
  }
  await Promise.all(
    file.entries.map(async (entry) => {
      if (!(await isOurs(entry))) return;
      log(`stopping ${entry.name} (pid ${entry.pid}) left over from a previous run`);
      await terminatePid(entry.pid, entry.stopSignal);
    }),
  );
  await updatePidFile(dataDir, () => ({ entries: [] }));
}

async function isOurs(entry: PidEntry): Promise<boolean> {
  return (await commandLine(entry.pid))?.[0] === entry.bin;
}

/** Sends `signal`, then SIGKILL after the grace period; resolves once the pid is gone. */
export async function terminatePid(pid: number, signal: NodeJS.Signals): Promise<void> {
  const deadline = Date.now() + STOP_GRACE_MS;
  signalPid(pid, signal);
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signalPid(pid, 'SIGKILL');
      await sleep(200);
      if (isAlive(pid)) throw new Error(`pid ${pid} survived SIGKILL`);
      return;
    }
    await sleep(100);
  }
}

export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * argv of a live, non-zombie process, or undefined. Linux reads /proc; elsewhere `ps`
 * (which cannot split arguments, so only argv[0]-ish matching is reliable there).
 */
export async function commandLine(pid: number): Promise<string[] | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (process.platform === 'linux') {
    try {
      const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      // Zombies (exited, not yet reaped) have an empty cmdline: not running.
      return raw ? raw.replace(/\0$/, '').split('\0') : undefined;
    } catch {
      return undefined;
    }
  }
  try {
    const { stdout } = await promisify(execFile)('ps', ['-p', String(pid), '-o', 'command=']);
    return stdout.trim() ? stdout.trim().split(/\s+/) : undefined;
  } catch {
    return undefined;
  }
}

export async function parentPid(pid: number): Promise<number | undefined> {
  try {
    if (process.platform === 'linux') {
      // Field 4 of /proc/<pid>/stat; the command name (field 2) may contain spaces, so split after ')'.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    }
    const { stdout } = await promisify(execFile)('ps', ['-p', String(pid), '-o', 'ppid=']);
    return Number(stdout.trim());
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
