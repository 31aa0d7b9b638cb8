import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { supervise, type Supervised } from '../../scripts/lib/supervise';

/** The dev supervisor on a stand-in child (a node process that idles): restarts on death and on change. */
let supervised: Supervised | undefined;
let dir: string | undefined;
afterEach(async () => {
  await supervised?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<{ lines: string[] }> {
  dir = await mkdtemp(path.join(tmpdir(), 'supervise-'));
  const lines: string[] = [];
  supervised = supervise({
    name: 'idler',
    command: process.execPath,
    args: ['-e', 'setInterval(() => {}, 1000)'],
    cwd: dir,
    env: process.env,
    watch: [dir],
    log: (line) => lines.push(line),
    output: () => {},
  });
  return { lines };
}

describe('supervise', () => {
  it('restarts a child killed with SIGKILL, waiting longer when it keeps dying young', async () => {
    const { lines } = await start();
    const first = supervised!.pid()!;
    process.kill(first, 'SIGKILL');
    await expect.poll(() => lines.join('\n'), { timeout: 5_000 }).toContain(`idler (pid ${first}) died (SIGKILL); restarting in 1s`);
    await expect.poll(() => supervised!.pid(), { timeout: 5_000 }).toBeDefined();
    const second = supervised!.pid()!;
    expect(second).not.toBe(first);

    process.kill(second, 'SIGKILL');
    await expect.poll(() => lines.join('\n'), { timeout: 5_000 }).toContain(`idler (pid ${second}) died (SIGKILL); restarting in 2s`);
    await expect.poll(() => supervised!.pid(), { timeout: 5_000 }).toBeDefined();
    expect(supervised!.pid()).not.toBe(second);
  });

  it('restarts the child when a watched source file changes', async () => {
    const { lines } = await start();
    const first = supervised!.pid()!;
    await writeFile(path.join(dir!, 'changed.ts'), 'export {};\n');
    await expect.poll(() => lines.join('\n'), { timeout: 5_000 }).toContain('restarting: changed.ts changed');
    await expect.poll(() => supervised!.pid(), { timeout: 5_000 }).not.toBe(first);
    expect(supervised!.pid()).toBeDefined();
  });
});
