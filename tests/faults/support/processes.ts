import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface ChildHandle {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** Spawns a child and resolves once its output matches `ready`. */
function startChild(args: string[], env: Record<string, string>, ready: RegExp, timeoutMs = 90_000): Promise<ChildHandle> {
  // One process (plain node), so signals reach the code under test directly.
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  const handle: ChildHandle = { process: child, output: () => output, exited, kill: (signal) => void child.kill(signal) };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms:\n${output.slice(-3000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(handle);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ready:\n${output.slice(-3000)}`));
    });
  });
}

/** The compiled worker, as `npm run worker` runs it (`npm run build` must have run; scripts/test.ts does it first). */
export function startWorker(env: Record<string, string>): Promise<ChildHandle> {
  return startChild(['--enable-source-maps', 'dist/worker/index.js'], env, /worker polling/);
}

/** The production server, as `npm start` runs it (`next build` must have run; scripts/test.ts does it first). */
export function startWeb(env: Record<string, string>, port: number): Promise<ChildHandle> {
  return startChild(['server.mjs'], { ...env, PORT: String(port), HOST: '127.0.0.1' }, /Ready on/);
}
