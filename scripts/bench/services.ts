import { createHash, type Hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, type StartedChild } from '../lib/child-process';
import { bin, run } from '../lib/run';

/**
 * The product's processes as the bench runs them: the worker (the compiled build, as
 * `npm run worker` runs it, a separate process whose pid the RSS sampler follows) and the production web app
 * (`next build` + `node server.mjs`, as the end-to-end tests run it).
 */

export const root = fileURLToPath(new URL('../..', import.meta.url));
type Env = Record<string, string | undefined>;

export type Background = StartedChild;

/**
 * A product process for the bench: run from the checkout, its whole tree stopped (`tsx`
 * runs the script in a child node process), its pid recorded beside the stack's own
 * children so a bench killed with SIGKILL has them stopped by the next run.
 */
export function startBackground(
  name: string,
  command: string,
  args: string[],
  env: Env,
  ready: { line?: RegExp; probe?: () => Promise<boolean> },
  opts: { verbose?: boolean; timeoutMs?: number; cwd?: string; dataDir?: string } = {},
): Promise<Background> {
  return startChild({
    name,
    command,
    args,
    cwd: opts.cwd ?? root,
    env,
    ready,
    readyTimeoutMs: opts.timeoutMs ?? 180_000,
    onLine: opts.verbose ? (line) => console.log(`[${name}] ${line}`) : undefined,
    stopGraceMs: 30_000,
    stopTree: true,
    pidDir: opts.dataDir,
  });
}

/**
 * The compiled worker, as `npm run worker` runs it: built first (scripts/build/worker.ts),
 * then started with package.json's own `worker` command line (node flags included), minus
 * npm, whose process would count in the worker's memory.
 */
/** package.json's `worker` script: how `npm run worker` starts the build. */
export async function workerScript(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: { worker: string } };
  return pkg.scripts.worker;
}

export async function startWorker(env: Env, dataDir: string, verbose: boolean, overrides: Env = {}, commandLine?: string): Promise<Background> {
  await buildWorker(env);
  return startBuiltWorker(env, dataDir, verbose, overrides, commandLine);
}

export async function buildWorker(env: Env): Promise<void> {
  const code = await run(bin('tsx'), ['scripts/build/worker.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (code !== 0) throw new Error(`building the worker failed (exit ${code})`);
}

/** The worker build (buildWorker first) started with package.json's command line: one more process of a pool. */
export async function startBuiltWorker(env: Env, dataDir: string, verbose: boolean, overrides: Env = {}, commandLine?: string): Promise<Background> {
  const script = commandLine ?? (await workerScript());
  // `VAR=value … node <flags> <script>`: leading assignments (malloc tuning) go into the
  // environment, as the shell npm runs would; `overrides` (experiments) win over them.
  const words = script.split(/\s+/);
  const assignments = words.slice(
    0,
    words.findIndex((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w)),
  );
  const [command, ...args] = words.slice(assignments.length);
  if (command !== 'node') throw new Error(`package.json's worker script no longer starts with node: ${script}`);
  const scriptEnv = Object.fromEntries(assignments.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
  return startBackground('worker', process.execPath, args, { ...env, ...scriptEnv, ...overrides }, { line: /worker polling/ }, { verbose, dataDir });
}

/** Experiment: the same worker, its workflows bundled beforehand (see experiments/). */
export function startPrebundledWorker(env: Env, dataDir: string, verbose: boolean): Promise<Background> {
  return startBackground(
    'worker',
    process.execPath,
    [bin('tsx'), 'scripts/bench/experiments/prebundled-worker.ts'],
    env,
    { line: /worker polling/ },
    { verbose, dataDir },
  );
}

export async function bundleWorkflows(env: Env, out: string, log: (line: string) => void): Promise<void> {
  const code = await run(bin('tsx'), ['scripts/bench/experiments/bundle-workflows.ts', out], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (code !== 0) throw new Error(`bundling the workflows failed (exit ${code})`);
  log(`workflows bundled ahead of time into ${out}`);
}

export async function startWeb(webDir: string, dataDir: string, env: Env, port: number, verbose: boolean, nodeFlags: string[] = []): Promise<Background> {
  const url = `http://127.0.0.1:${port}`;
  return startBackground(
    'web',
    process.execPath,
    [...nodeFlags, path.join(webDir, 'server.mjs')],
    { ...env, PORT: String(port), HOST: '127.0.0.1' },
    { probe: async () => (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) })).status < 500 },
    { verbose, timeoutMs: 60_000, cwd: webDir, dataDir },
  );
}

/**
 * The web app is built and served from the bench's own copy of its sources (app, lib,
 * types and the build config, node_modules hard-linked), in `<dataDir>/web`: a concurrent
 * `npm test` rebuilds the checkout's .next, which must not change under a running bench.
 * The copy's build is reused only when the sources hash the same (quick mode).
 */
const webSources = [
  'app',
  'lib',
  'types',
  'public',
  'server.mjs',
  'instrumentation.ts',
  'next.config.mjs',
  'next-env.d.ts',
  'package.json',
  'package-lock.json',
  'postcss.config.mjs',
  'tailwind.config.ts',
  'tsconfig.json',
];

async function hashTree(hash: Hash, target: string): Promise<void> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return;
  if (info.isDirectory()) {
    for (const entry of (await readdir(target)).sort()) await hashTree(hash, path.join(target, entry));
  } else {
    hash
      .update(path.relative(root, target))
      .update('\0')
      .update(await readFile(target))
      .update('\0');
  }
}

export async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const entry of webSources) await hashTree(hash, path.join(root, entry));
  return hash.digest('hex');
}

export async function prepareWeb(dataDir: string, env: Env, opts: { reuse: boolean; log: (line: string) => void }): Promise<string> {
  const webDir = path.join(dataDir, 'web');
  const stampFile = path.join(webDir, '.bench-build-sources');
  const hash = await sourceHash();
  const built = await readFile(stampFile, 'utf8').catch(() => '');
  if (opts.reuse && built === hash && existsSync(path.join(webDir, '.next', 'BUILD_ID'))) {
    opts.log(`reusing the web build in ${webDir} (sources unchanged)`);
    return webDir;
  }
  const started = Date.now();
  await rm(stampFile, { force: true });
  await mkdir(webDir, { recursive: true });
  for (const entry of webSources) {
    await rm(path.join(webDir, entry), { recursive: true, force: true });
    if (existsSync(path.join(root, entry))) await cp(path.join(root, entry), path.join(webDir, entry), { recursive: true });
  }
  // Turbopack refuses a symlinked node_modules that points outside the project; hard links
  // cost no space and a second. Refreshed when the lock file changes.
  const lockStamp = path.join(webDir, '.bench-node-modules');
  const lockHash = createHash('sha256')
    .update(await readFile(path.join(root, 'package-lock.json')))
    .digest('hex');
  if ((await readFile(lockStamp, 'utf8').catch(() => '')) !== lockHash) {
    await rm(path.join(webDir, 'node_modules'), { recursive: true, force: true });
    const code = await run('cp', ['-al', path.join(root, 'node_modules'), path.join(webDir, 'node_modules')]);
    if (code !== 0) throw new Error('could not hard-link node_modules into the bench web dir');
    await writeFile(lockStamp, lockHash);
  }
  opts.log('next build…');
  const code = await run(process.execPath, [path.join(webDir, 'node_modules/next/dist/bin/next'), 'build', webDir], {
    cwd: webDir,
    env: { ...env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (code !== 0) throw new Error(`next build failed (exit ${code})`);
  await writeFile(stampFile, hash);
  opts.log(`next build done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return webDir;
}
