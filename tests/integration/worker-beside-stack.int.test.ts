import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendantsOf, runToEnd, spawnChild, type Child } from '../../scripts/lib/child-process';
import { findFreePort } from '../../scripts/stack/index';
import { copyCheckout } from '../support/checkout-copy';
import { commandLineOf, processesMentioning, stackFrames } from '../support/child-processes';

/**
 * A bare `npm run worker` (the compiled worker, no variables set) in a checkout: beside the
 * checkout's running local stack it joins it; with none it says what to do in one message.
 * It used to exit with a ConfigError stack trace either way.
 */
let parent: string;
let checkout: string;
const running: Child[] = [];

// Nothing that points the worker at a service may leak in from the test stack's environment.
const bareEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|TEMPORAL_|S3_)/.test(key)));

beforeAll(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'export-console-clone-'));
  await chmod(parent, 0o755);
  checkout = await copyCheckout(path.join(parent, 'export-console'));
});

let built: Promise<string> | undefined;
async function buildWorker(): Promise<void> {
  const output = await (built ??= runToEnd('npm', ['run', '-s', 'build:worker'], { cwd: checkout, env: bareEnv }).then((r) => r.output));
  expect(output).toContain('worker built into dist/worker/');
}

afterAll(async () => {
  for (const child of running) {
    for (const pid of [...descendantsOf(child.pid!), child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  await rm(parent, { recursive: true, force: true });
});

function startIn(name: string, command: string, args: string[], env: Record<string, string | undefined>): Child {
  const child = spawnChild({ name, command, args, cwd: checkout, env });
  running.push(child);
  return child;
}

describe('a bare npm run worker', () => {
  // Runs first: the copy has no build yet.
  it('without a build: one sentence saying to build, no stack trace', async () => {
    const { code, output } = await runToEnd('npm', ['run', '-s', 'worker'], { cwd: checkout, env: bareEnv, timeoutMs: 60_000 });

    expect(code).toBe(1);
    expect(output).toContain('There is no worker build in dist/worker/: run `npm run build` (or `npm run build:worker`) first.');
    expect(stackFrames(output)).toEqual([]);
  });

  it('with no configuration and no local stack: one message saying what to do, no stack trace', async () => {
    await buildWorker();
    const { code, output } = await runToEnd('npm', ['run', '-s', 'worker'], { cwd: checkout, env: bareEnv, timeoutMs: 60_000 });

    expect(code).toBe(1);
    expect(output).toContain('no local stack is running');
    expect(output).toContain('start `npm run dev` or `npm run stack` in this checkout, or set the variables');
    expect(stackFrames(output)).toEqual([]);
  });

  it('beside the checkout’s running local stack: finds it through .data/stack.env.json and polls', async () => {
    await buildWorker();
    const ports = {
      EMBEDDED_PG_PORT: await findFreePort(),
      EMBEDDED_TEMPORAL_PORT: await findFreePort(),
      EMBEDDED_TEMPORAL_UI_PORT: await findFreePort(),
      EMBEDDED_S3_PORT: await findFreePort(),
    };
    const stack = startIn('stack', process.execPath, ['--import', 'tsx', 'scripts/stack/cli.ts'], {
      ...bareEnv,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    });
    await expect.poll(stack.output, { timeout: 120_000, interval: 500 }).toContain('local stack ready');

    const worker = startIn('worker', 'npm', ['run', '-s', 'worker'], bareEnv);
    await expect.poll(worker.output, { timeout: 60_000, interval: 500 }).toContain('worker polling');
    expect(worker.output()).toContain(`using the local stack of pid ${stack.pid}`);
    expect(worker.output()).toContain(`127.0.0.1:${ports.EMBEDDED_TEMPORAL_PORT}`);
    // The production process model: plain node on the build, with a heap cap; no tsx loader.
    const tree = descendantsOf(worker.pid!).map(commandLineOf);
    const workers = tree.filter((line) => /^\S*\bnode .*dist\/worker\/index\.js$/.test(line));
    expect(workers).toEqual([expect.stringMatching(/ --max-old-space-size=\d+ /)]);
    expect(tree.filter((line) => /\btsx\b/.test(line))).toEqual([]);

    for (const pid of descendantsOf(worker.pid!)) process.kill(pid, 'SIGTERM');
    await worker.exited;
    stack.kill('SIGTERM');
    await stack.exited;
    // Stopped stacks leave no record behind for a later worker to trust.
    expect(existsSync(path.join(checkout, '.data', 'stack.env.json'))).toBe(false);
    expect(processesMentioning(checkout)).toEqual([]);
  });
});
