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
