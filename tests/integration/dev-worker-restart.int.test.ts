import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../scripts/stack/index';
import { checkoutRoot } from '../support/checkout-copy';
import { commandLineOf, descendantsOf } from '../support/child-processes';

/**
 * `npm run dev` against the test stack's services (so it starts none of its own): a worker
 * killed with SIGKILL comes back, and the console says so. Under `tsx watch` it stayed
 * dead, silently, while its exports sat in `running`.
 */
let dev: ChildProcess | undefined;
let output = '';

afterAll(async () => {
  if (!dev || dev.exitCode !== null) return;
  const tree = descendantsOf(dev.pid!);
  dev.kill('SIGKILL');
  for (const pid of tree) process.kill(pid, 'SIGKILL');
});

/** The process actually running worker/index.ts: the deepest one in dev's tree. */
function workerPid(): number | undefined {
  const workers = descendantsOf(dev!.pid!).filter((pid) => commandLineOf(pid).includes('worker/index.ts'));
  return workers.find((pid) => !descendantsOf(pid).some((child) => workers.includes(child)));
}

describe('npm run dev', () => {
  it('restarts a worker that dies and says so; Ctrl-C still stops everything', async () => {
    const port = await findFreePort();
    dev = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
      cwd: checkoutRoot,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const polling = () => output.split('\n').filter((line) => line.includes('worker polling')).length;

    await expect.poll(polling, { timeout: 120_000, interval: 500 }).toBe(1);
    const first = workerPid();
    expect(first).toBeDefined();

    const before = output.length;
    process.kill(first!, 'SIGKILL');

    await expect.poll(() => output.slice(before), { timeout: 60_000, interval: 500 }).toMatch(/\[dev\] worker \(pid \d+\) died \(SIGKILL\); restarting/);
    await expect.poll(polling, { timeout: 120_000, interval: 500 }).toBe(2);
    const second = workerPid();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);

    const tree = descendantsOf(dev.pid!);
    dev.kill('SIGINT');
    await new Promise((resolve) => dev!.once('exit', resolve));
    expect(tree.filter((pid) => commandLineOf(pid) !== '')).toEqual([]);
  });
});
