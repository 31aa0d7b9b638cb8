import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { processTreeSync } from './rss-sampler';

/**
 * How busy the machine was with work that is not the bench's: total busy CPU time (from
 * /proc/stat) minus the CPU time of this process and its descendants (stack, worker, web
 * app), as a share of all cores over the measured span. Other work on a 2-core machine
 * (a test run, a build) moves every figure, so each section records it.
 */

const ticksPerSecond = 100; // USER_HZ on Linux

function machineBusyTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu as number[];
  return user! + nice! + system! + irq! + softirq! + (steal ?? 0);
}

function processTicks(pid: number, withChildren: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14–17 (1-based); fields[] starts at field 3.
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    return utime! + stime! + (withChildren ? cutime! + cstime! : 0);
  } catch {
    return 0;
  }
}

/**
 * CPU ticks of `root` and its live descendants, exited (reaped) children included: a
 * child's ticks move into its parent's cutime when it is reaped, so nothing counts twice.
 */
function treeTicks(root: number): number {
  let total = 0;
  for (const pid of processTreeSync(root)) total += processTicks(pid, true);
  return total;
}

/**
 * CPU seconds used so far by `root` and its live descendants (every thread; reaped children
 * included). The difference over one export is its CPU cost, which other work on the
 * machine moves far less than its wall time.
 */
export const treeCpuSeconds = (root: number): number => treeTicks(root) / ticksPerSecond;

/**
 * CPU seconds so far of each thread group of one process: `main` (the JavaScript thread)
 * and the others by thread name (libuv's pool and V8's helpers are all `node`; the Temporal
 * core's runtime threads have names of their own). Per export, the difference shows what
 * besides the JavaScript thread a process spends its CPU on.
 */
export function threadCpuSeconds(pid: number): Record<string, number> {
  const groups: Record<string, number> = {};
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return groups;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = Number(tid) === pid ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[-_ ]?\d+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      groups[name] = (groups[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    } catch {
      // the thread ended between listing and reading
    }
  }
  return groups;
}

/** CPU ticks of the bench and everything it started (exited children included). */
const benchTicks = () => treeTicks(process.pid);

/**
 * Share of all cores each named process tree used over a span (a web instance, a worker, a
 * service of the stack). The trees must live through the span: one that exits takes its
 * ticks along.
 */
export function processCpuSpan(trees: Record<string, number>): () => { seconds: number; shares: Record<string, number> } {
  const start = { at: performance.now(), ticks: Object.fromEntries(Object.entries(trees).map(([name, pid]) => [name, treeTicks(pid)])) };
  return () => {
    const seconds = (performance.now() - start.at) / 1000;
    const capacity = seconds * ticksPerSecond * os.availableParallelism();
    const shares = Object.fromEntries(
      Object.entries(trees).map(([name, pid]) => [name, Math.max(0, Number(((treeTicks(pid) - start.ticks[name]!) / capacity).toFixed(3)))]),
    );
    return { seconds: Number(seconds.toFixed(1)), shares };
  };
}

export interface CpuShare {
  seconds: number;
  /** Share of all cores used by the bench's own processes. */
  bench: number;
  /** Share of all cores used by everything else on the machine. */
  other: number;
}

export function cpuSpan(): () => CpuShare {
  const start = { at: performance.now(), busy: machineBusyTicks(), bench: benchTicks() };
  return () => {
    const seconds = (performance.now() - start.at) / 1000;
    const capacity = seconds * ticksPerSecond * os.availableParallelism();
    const busy = machineBusyTicks() - start.busy;
    const bench = benchTicks() - start.bench;
    const share = (ticks: number) => Math.max(0, Math.min(1, Number((ticks / capacity).toFixed(3))));
    return { seconds: Number(seconds.toFixed(1)), bench: share(bench), other: share(busy - bench) };
  };
}

/**
 * With --wait-idle: before a section, wait (up to `maxWaitMs`) until other work uses less
 * than `threshold` of the machine over a 5-second window. Returns the last window.
 */
export async function waitForQuiet(log: (line: string) => void, maxWaitMs: number, threshold = 0.1): Promise<CpuShare> {
  const deadline = Date.now() + maxWaitMs;
  for (let announced = false; ; ) {
    const span = cpuSpan();
    await new Promise((r) => setTimeout(r, 5_000));
    const share = span();
    if (share.other < threshold || Date.now() > deadline) {
      if (share.other >= threshold) log(`machine still busy (other work ${(share.other * 100).toFixed(0)}% of all cores); measuring anyway`);
      return share;
    }
    if (!announced) log(`waiting for other work to calm down (now ${(share.other * 100).toFixed(0)}% of all cores)…`);
    announced = true;
  }
}
