import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { descendantsOf, runToEnd, startChild, type StartedChild } from '../../scripts/lib/child-process';
import { commandLine, isAlive } from '../../scripts/stack/processes';

/** The scripts' one child-process primitive, on small node one-liners. */
const node = (code: string) => ({ command: process.execPath, args: ['-e', code] });
const started: StartedChild[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.stop()));
});

describe('startChild', () => {
  it('resolves on a ready line, passes lines on, and stops with the stop signal', async () => {
    const lines: string[] = [];
    const child = await startChild({
      name: 'idler',
      ...node('console.log("hello"); console.log("up"); setInterval(() => {}, 1000)'),
      ready: { line: /^up$/ },
      onLine: (line) => lines.push(line),
    });
    started.push(child);
    expect(lines).toEqual(['hello', 'up']);
    expect(child.output()).toBe('hello\nup\n');
    await child.stop();
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(child.hasExited()).toBe(true);
  });

  it('SIGKILLs a child that ignores the stop signal after the grace period', async () => {
    const child = await startChild({
      name: 'stubborn',
      ...node('process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'),
      ready: { line: /up/ },
      stopGraceMs: 300,
    });
    await child.stop();
    expect((await child.exited).signal).toBe('SIGKILL');
  });

  it('rejects with the last output when the child exits during start-up', async () => {
    await expect(startChild({ name: 'crasher', ...node('console.error("boom"); process.exit(3)'), ready: { line: /never/ } })).rejects.toThrow(
      'crasher exited during start-up (exit 3)\n--- last output ---\nboom',
    );
  });

  it('stops a child (and its pid record) that is not ready in time, reporting the probe’s last error', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'child-process-'));
    let pid = 0;
    const failed = startChild({
      name: 'slow',
      // A shell starts in milliseconds even on a loaded machine (node may take longer than the deadline to print).
      command: '/bin/sh',
      args: ['-c', 'echo waiting; exec sleep 1000'],
      pidDir: dataDir,
      readyTimeoutMs: 2_000,
      ready: {
        probe: async () => {
          pid ||= JSON.parse(await readFile(path.join(dataDir, 'stack.pids.json'), 'utf8')).entries[0].pid;
          throw new Error('not listening');
        },
      },
    });
    await expect(failed).rejects.toThrow('slow not ready within 2s: not listening\n--- last output ---\nwaiting');
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
    expect(JSON.parse(await readFile(path.join(dataDir, 'stack.pids.json'), 'utf8')).entries).toEqual([]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('rejects when the command cannot be spawned', async () => {
    await expect(startChild({ name: 'ghost', command: '/nonexistent/ghost', args: [] })).rejects.toThrow(
      'could not start ghost (/nonexistent/ghost): spawn /nonexistent/ghost ENOENT',
    );
  });

  it('with stopTree, stops the grandchildren a launcher started', async () => {
    const child = await startChild({
      name: 'launcher',
      ...node(
        `require("child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" }); console.log("up"); setInterval(() => {}, 1000)`,
      ),
      ready: { line: /up/ },
      stopTree: true,
    });
    await expect.poll(() => descendantsOf(child.pid).length).toBe(1);
    const [grandchild] = descendantsOf(child.pid);
    await child.stop();
    // A killed process may linger as a zombie until reaped; it has no command line then.
    await expect.poll(() => commandLine(grandchild!)).toBeUndefined();
  });
});

describe('runToEnd', () => {
  it('resolves with the exit code and the combined output', async () => {
    const { code, output } = await runToEnd(process.execPath, ['-e', 'console.log("out"); console.error("err"); process.exit(2)'], {
      cwd: tmpdir(),
      env: process.env,
    });
    expect(code).toBe(2);
    expect(output.split('\n').sort()).toEqual(['', 'err', 'out']);
  });

  it('kills a command that outlives its timeout', async () => {
    expect((await runToEnd(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd: tmpdir(), env: process.env, timeoutMs: 200 })).code).toBe('SIGKILL');
  });
});
