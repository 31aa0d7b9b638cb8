import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * The running local stack's service addresses, in `<dataDir>/stack.env.json`, so a second
 * process started by hand (`npm run worker` beside `npm run dev`) finds the stack without
 * copying variables. The stack writes it once started and removes it on stop; the owner
 * pid tells a live stack from one that was killed.
 */
export interface DevStackState {
  pid: number;
  host: string;
  env: Record<string, string>;
}

export type FoundDevStack = { state: DevStackState; file: string } | { stale: DevStackState; file: string } | undefined;

export const devStackStateFile = (dataDir: string) => path.join(dataDir, 'stack.env.json');

export async function writeDevStackState(dataDir: string, env: Record<string, string>): Promise<void> {
  const state: DevStackState = { pid: process.pid, host: hostname(), env };
  // 0600: with external services passed through, the addresses can carry passwords.
  await writeFile(devStackStateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export async function removeDevStackState(dataDir: string): Promise<void> {
  await rm(devStackStateFile(dataDir), { force: true });
}

/** The stack recorded in `dataDir`: live, stale (its owner is gone), or none. */
export function findDevStack(dataDir: string): FoundDevStack {
  const file = devStackStateFile(dataDir);
  let state: DevStackState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as DevStackState;
  } catch {
    return undefined;
  }
  return state.host === hostname() && isAlive(state.pid) ? { state, file } : { stale: state, file };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
