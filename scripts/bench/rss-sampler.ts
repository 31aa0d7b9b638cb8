import { readFile } from 'node:fs/promises';
import { descendantsOf } from '../lib/child-process';

/**
 * Resident memory of a process tree, read from /proc (Linux only). `tsx worker/index.ts`
 * is a small launcher process plus the node process that runs the worker, so the tree is
 * what a container limit would see. The tree is rediscovered every ~2 s (cheap enough not
 * to disturb a 2-core machine); VmRSS of each known pid is read every `intervalMs`.
 */

export interface ProcessMemory {
  pid: number;
  command: string;
  rssBytes: number;
  /** The kernel's high-water mark of the process's RSS since it started. */
  hwmBytes: number;
}

export interface RssWindow {
  /** Largest sum of VmRSS over the tree seen in one sample. */
  peakTreeBytes: number;
  /** Largest VmRSS of a single process (the worker's node process). */
  peakProcessBytes: number;
  samples: number;
}

export async function readProcessMemory(pid: number): Promise<ProcessMemory | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).slice(0, 4).join(' ');
    return { pid, command, rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
  } catch {
    return undefined; // exited between listing and reading
  }
}

/** `root` and every descendant, through /proc/<pid>/task/<tid>/children (a quick, consistent snapshot). */
export const processTreeSync = (root: number): number[] => [root, ...descendantsOf(root)];

export async function treeMemory(root: number): Promise<ProcessMemory[]> {
  const pids = processTreeSync(root);
  return (await Promise.all(pids.map(readProcessMemory))).filter((m): m is ProcessMemory => m !== undefined);
}

export class RssSampler {
  private pids: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastDiscovery = 0;
  private window: RssWindow = { peakTreeBytes: 0, peakProcessBytes: 0, samples: 0 };
  private busy = false;

  constructor(
    private readonly root: number,
    private readonly intervalMs = 100,
  ) {}

  async start(): Promise<void> {
    this.pids = processTreeSync(this.root);
    this.lastDiscovery = Date.now();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Starts a new measuring window; returns the previous one. */
  async reset(): Promise<RssWindow> {
    await this.sample();
    const previous = this.window;
    this.window = { peakTreeBytes: 0, peakProcessBytes: 0, samples: 0 };
    await this.sample();
    return previous;
  }

  /** The current window, including one last sample. */
  async read(): Promise<RssWindow> {
    await this.sample();
    return { ...this.window };
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (Date.now() - this.lastDiscovery > 2_000) {
        this.pids = processTreeSync(this.root);
        this.lastDiscovery = Date.now();
      }
      let tree = 0;
      let largest = 0;
      for (const pid of this.pids) {
        const rss = await readRss(pid);
        tree += rss;
        largest = Math.max(largest, rss);
      }
      this.window.peakTreeBytes = Math.max(this.window.peakTreeBytes, tree);
      this.window.peakProcessBytes = Math.max(this.window.peakProcessBytes, largest);
      this.window.samples++;
    } finally {
      this.busy = false;
    }
  }
}

async function readRss(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
