// runToEnd and descendantsOf live with the other child-process helpers in scripts/lib/child-process.ts.
import { readdirSync, readFileSync } from 'node:fs';

/** Live processes whose command line mentions any of `paths` (Linux /proc), as "pid argv". */
export function processesMentioning(...paths: string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let argv: string;
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue;
    }
    if (argv && paths.some((p) => argv.includes(p))) found.push(`${entry} ${argv}`);
  }
  return found;
}

/** Lines that look like a JavaScript stack trace frame. */
export const stackFrames = (output: string) => output.split('\n').filter((line) => /^\s+at .+[:(]/.test(line));

export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}
