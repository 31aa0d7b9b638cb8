import { fileURLToPath } from 'node:url';
import { startChild, type StartedChild } from '../../scripts/lib/child-process';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** One process (plain node), so signals reach the code under test directly. */
function startNode(name: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<StartedChild> {
  return startChild({ name, command: process.execPath, args, cwd: root, env: { ...process.env, ...env }, ready: { line: ready }, readyTimeoutMs: 90_000 });
}

/** The compiled worker, as `npm run worker` runs it (`npm run build` must have run; scripts/test.ts does it first). */
export function startWorker(env: Record<string, string>): Promise<StartedChild> {
  return startNode('worker', ['--enable-source-maps', 'dist/worker/index.js'], env, /worker polling/);
}

/** The production server, as `npm start` runs it (`next build` must have run; scripts/test.ts does it first). */
export function startWeb(env: Record<string, string>, port: number): Promise<StartedChild> {
  return startNode('web', ['server.mjs'], { ...env, PORT: String(port), HOST: '127.0.0.1' }, /Ready on/);
}
