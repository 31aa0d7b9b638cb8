import { spawn, type SpawnOptions } from 'node:child_process';

/** Runs a command with inherited output; resolves with its exit code (never rejects on failure). */
type Env = Record<string, string | undefined>;

export function run(command: string, args: string[], options: Omit<SpawnOptions, 'env'> & { env?: Env } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options, env: options.env as NodeJS.ProcessEnv | undefined });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Local package binaries (next, vitest, playwright) without npx's lookups. */
export function bin(name: string): string {
  return new URL(`../../node_modules/.bin/${name}`, import.meta.url).pathname;
}

/**
 * Starts a long-running child and resolves once a line of its output matches `ready`.
 * Output is prefixed and passed through so failures can be read in the log.
 */
export function startBackground(
  name: string,
  command: string,
  args: string[],
  env: Env,
  ready: RegExp,
  timeoutMs = 120_000,
): Promise<{ stop(): Promise<void> }> {
  const child = spawn(command, args, { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name} did not become ready within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(text.replace(/^(?=.)/gm, `[${name}] `));
      if (ready.test(text)) {
        clearTimeout(timer);
        resolve({ stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited early (code ${code})`));
    });
  });
}
