import { afterAll, describe, expect, it } from 'vitest';
import { descendantsOf, spawnChild, type Child } from '../../scripts/lib/child-process';
import { findFreePort } from '../../scripts/stack/index';
import { checkoutRoot } from '../support/checkout-copy';
import { commandLineOf } from '../support/child-processes';

/**
 * `npm run dev` against the test stack's services (so it starts none of its own): a worker
 * killed with SIGKILL comes back, and the console says so. Under `tsx watch` it stayed
 * dead, silently, while its exports sat in `running`.
 */
let dev: Child | undefined;

afterAll(async () => {
  if (!dev || dev.hasExited()) return;
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
    dev = spawnChild({
      name: 'dev',
      command: process.execPath,
      args: ['--import', 'tsx', 'scripts/dev.ts'],
      cwd: checkoutRoot,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    });
    const output = dev.output;
    const polling = () =>
      output()
        .split('\n')
        .filter((line) => line.includes('worker polling')).length;

    await expect.poll(polling, { timeout: 120_000, interval: 500 }).toBe(1);
    const first = workerPid();
    expect(first).toBeDefined();

    const before = output().length;
    process.kill(first!, 'SIGKILL');

    await expect.poll(() => output().slice(before), { timeout: 60_000, interval: 500 }).toMatch(/\[dev\] worker \(pid \d+\) died \(SIGKILL\); restarting/);
    await expect.poll(polling, { timeout: 120_000, interval: 500 }).toBe(2);
    const second = workerPid();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);

    const tree = descendantsOf(dev.pid!);
    dev.kill('SIGINT');
    await dev.exited;
    expect(tree.filter((pid) => commandLineOf(pid) !== '')).toEqual([]);
  });
});
