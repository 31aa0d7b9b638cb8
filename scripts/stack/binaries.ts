import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { spawnChild } from '../lib/child-process';
import { isAlive, sleep } from './processes';

/**
 * Finds (or builds once) the Temporal CLI, the Versity S3 gateway and Mailpit (a local
 * SMTP server with an HTTP API). All are single Go binaries not on npm, so they live in a per-version cache outside the checkout, shared by
 * every clone and worktree.
 */

export type Tool = 'temporal' | 'versitygw' | 'mailpit' | 'temporal-server';

interface ToolSpec {
  version: string;
  module: string;
  envVar: string;
  buildMinutes: number;
  /** The name `go install` gives the main binary, when it is not the tool's name. */
  goBinary?: string;
  /** More commands of the same module built into the tool's cache dir, by their `go install` names. */
  companions?: string[];
  /** Extra environment for the build (a newer Go toolchain the go command fetches itself). */
  goEnv?: Record<string, string>;
}

export const TOOLS: Record<Tool, ToolSpec> = {
  temporal: { version: 'v1.5.1', module: 'github.com/temporalio/cli/cmd/temporal', envVar: 'TEMPORAL_CLI_PATH', buildMinutes: 5 },
  versitygw: { version: 'v1.7.0', module: 'github.com/versity/versitygw/cmd/versitygw', envVar: 'VERSITYGW_PATH', buildMinutes: 3 },
  mailpit: { version: 'v1.33.1', module: 'github.com/axllent/mailpit', envVar: 'MAILPIT_PATH', buildMinutes: 3 },
  // The real server (not start-dev) for the cluster profile, with its SQL schema tool beside it.
  // v1.32 needs Go >= 1.26.10; GOTOOLCHAIN makes the go command fetch that from the module proxy.
  'temporal-server': {
    version: 'v1.32.2',
    module: 'go.temporal.io/server/cmd/server',
    envVar: 'TEMPORAL_SERVER_PATH',
    buildMinutes: 5,
    goBinary: 'server',
    companions: ['go.temporal.io/server/cmd/tools/sql'],
    goEnv: { GOTOOLCHAIN: 'go1.27.3' },
  },
};

type Log = (line: string) => void;
type Env = Record<string, string | undefined>;

export interface ResolveOptions {
  log?: Log;
  /** Where TEMPORAL_CLI_PATH, PATH and the cache dir variables are read; defaults to process.env. */
  env?: Env;
}
const PROGRESS_EVERY_MS = 10_000;
const DOWNLOAD_TIMEOUT_MS = 180_000;

export function cacheRoot(env: Env = process.env): string {
  return env.EXPORT_CONSOLE_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'export-console');
}

/** The version is in the path because a `go install` build reports itself as 0.0.0-DEV. */
export function cachedToolPath(tool: Tool, env: Env = process.env): string {
  return path.join(toolsDir(env), `${tool}-${TOOLS[tool].version}`, tool);
}

const toolsDir = (env: Env) => path.join(cacheRoot(env), 'tools');

export async function resolveTool(tool: Tool, opts: ResolveOptions = {}): Promise<string> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const env = opts.env ?? process.env;
  const spec = TOOLS[tool];
  const tried: string[] = [];

  const explicit = env[spec.envVar];
  if (explicit) {
    const full = path.resolve(explicit);
    if (await isExecutable(full)) return full;
    throw new Error(`${spec.envVar}=${explicit} is not an executable file; fix the path or unset it to let the stack find ${tool} itself`);
  }
  tried.push(`${spec.envVar}: not set`);

  const onPath = await findOnPath(tool, env);
  if (onPath) return onPath;
  tried.push(`PATH: no ${tool}`);

  const cached = cachedToolPath(tool, env);
  if (await isExecutable(cached)) return cached;
  tried.push(`cache: no ${cached}`);

  const go = await findOnPath('go', env);
  if (go) {
    try {
      return await buildWithGo(tool, go, env, log);
    } catch (err) {
      tried.push(`go install: ${errorText(err)}`);
    }
  } else {
    tried.push('go install: go is not on PATH');
  }

  if (tool === 'temporal') {
    try {
      return await downloadTemporalDevServer(env, log);
    } catch (err) {
      tried.push(`@temporalio/testing download: ${errorText(err)}`);
    }
  }

  const fixes = [
    `set ${spec.envVar} to a ${tool} binary`,
    `put ${tool} on PATH`,
    `install Go (https://go.dev/dl) so the stack can build ${spec.module}@${spec.version} into the cache`,
    ...(tool === 'temporal' ? ['or allow internet access for the Temporal dev-server download'] : []),
  ];
  throw new Error(`cannot find ${tool} ${spec.version}. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\nFix: ${fixes.join('; ')}.`);
}

/** Resolves every tool in parallel and prints their paths (CI warms the cache with this). */
export async function installTools(opts: ResolveOptions = {}): Promise<Record<Tool, string>> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const tools = Object.keys(TOOLS) as Tool[];
  const paths = await Promise.all(tools.map((tool) => resolveTool(tool, { ...opts, log })));
  const found = Object.fromEntries(tools.map((tool, i) => [tool, paths[i]])) as Record<Tool, string>;
  for (const tool of tools) log(`${tool}: ${found[tool]}`);
  return found;
}

// ---------------------------------------------------------------------------------------

async function buildWithGo(tool: Tool, go: string, env: Env, log: Log): Promise<string> {
  const spec = TOOLS[tool];
  const target = cachedToolPath(tool, env);
  const dir = toolsDir(env);
  await mkdir(dir, { recursive: true });
  return withLock(path.join(dir, `.${tool}-${spec.version}.lock`), tool, log, async () => {
    // Whoever held the lock before us may have just built it.
    if (await isExecutable(target)) return target;
    await removeStaleBuildDirs(dir, tool);
    // GOBIN points at a temp dir on the same filesystem; the rename below is atomic, so
    // a killed build never leaves a half-written binary where the cache lookup finds it.
    const buildDir = path.join(dir, `.build-${tool}-${process.pid}-${Date.now()}`);
    await mkdir(buildDir, { recursive: true });
    try {
      const label = `building ${tool} ${spec.version} with go install (first time only, about ${spec.buildMinutes} min)…`;
      log(label);
      const started = Date.now();
      const timer = setInterval(() => log(`${label} ${Math.round((Date.now() - started) / 1000)}s`), PROGRESS_EVERY_MS);
      try {
        const packages = [spec.module, ...(spec.companions ?? [])].map((pkg) => `${pkg}@${spec.version}`);
        await runGoInstall(go, packages, buildDir, { ...env, ...spec.goEnv });
      } finally {
        clearInterval(timer);
      }
      await mkdir(path.dirname(target), { recursive: true });
      // Companions first: the main binary's arrival is what marks the cache entry complete.
      for (const pkg of spec.companions ?? []) await rename(path.join(buildDir, path.basename(pkg)), path.join(path.dirname(target), path.basename(pkg)));
      await rename(path.join(buildDir, spec.goBinary ?? tool), target);
      log(`built ${target} in ${Math.round((Date.now() - started) / 1000)}s`);
      return target;
    } finally {
      await rm(buildDir, { recursive: true, force: true });
    }
  });
}

async function runGoInstall(go: string, packages: string[], gobin: string, env: Env): Promise<void> {
  const child = spawnChild({ name: 'go install', command: go, args: ['install', ...packages], env: { ...env, GOBIN: gobin } });
  const { code, signal, error } = await child.exited;
  if (error) throw error;
  if (code !== 0) throw new Error(`go install ${packages.join(' ')} failed (${signal ?? `exit ${code}`}):\n${child.tail(15)}`);
}

/**
 * mkdir is atomic, so a directory is the lock. It records host+pid; a lock whose owner is
 * dead on this host (a killed build) is taken over. Waiters poll and report progress.
 */
async function withLock<T>(lockDir: string, tool: Tool, log: Log, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let lastReport = started;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isStaleLock(lockDir)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - lastReport >= PROGRESS_EVERY_MS) {
      lastReport = Date.now();
      log(`waiting for another process to build or fetch ${tool}… ${Math.round((Date.now() - started) / 1000)}s`);
    }
    await sleep(1000);
  }
  try {
    await writeFile(path.join(lockDir, 'owner'), `${hostname()} ${process.pid}\n`);
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function isStaleLock(lockDir: string): Promise<boolean> {
  try {
    const [host, pid] = (await readFile(path.join(lockDir, 'owner'), 'utf8')).trim().split(' ');
    if (host === hostname()) return !isAlive(Number(pid));
    // Another host (shared cache dir): no way to probe it; give up on it after an hour.
    return Date.now() - (await stat(lockDir)).mtimeMs > 60 * 60_000;
  } catch {
    // No owner file yet: the owner is between mkdir and writeFile, unless it died there.
    try {
      return Date.now() - (await stat(lockDir)).mtimeMs > 30_000;
    } catch {
      return false; // lock vanished: retry mkdir
    }
  }
}

async function removeStaleBuildDirs(dir: string, tool: Tool): Promise<void> {
  // Only called under the tool's lock, so no build of this tool is in progress.
  for (const name of await readdir(dir)) {
    if (name.startsWith(`.build-${tool}-`)) await rm(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Last resort: the dev server the Temporal TS SDK downloads for its own tests. */
async function downloadTemporalDevServer(env: Env, log: Log): Promise<string> {
  const downloadDir = path.join(toolsDir(env), 'temporal-download');
  await mkdir(downloadDir, { recursive: true });
  return withLock(path.join(toolsDir(env), '.temporal-download.lock'), 'temporal', log, async () => {
    const existing = await findTemporalIn(downloadDir);
    if (existing) return existing;
    log('downloading the Temporal dev server via @temporalio/testing…');
    // A devDependency: absent from production installs, hence the dynamic import.
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${DOWNLOAD_TIMEOUT_MS / 1000}s`)), DOWNLOAD_TIMEOUT_MS);
    });
    try {
      const env = await Promise.race([TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir } } }), timeout]);
      await env.teardown();
    } finally {
      clearTimeout(timer);
    }
    const found = await findTemporalIn(downloadDir);
    if (!found) throw new Error(`download finished but no temporal executable in ${downloadDir}`);
    return found;
  });
}

async function findTemporalIn(dir: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch {
    return undefined;
  }
  for (const name of names.sort()) {
    const full = path.join(dir, name);
    if (/^temporal/.test(path.basename(name)) && !/\.(zip|tar\.gz|tgz)$/.test(name) && (await isExecutable(full))) return full;
  }
  return undefined;
}

export async function findOnPath(name: string, env: Env = process.env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const full = path.resolve(dir, name);
    if (await isExecutable(full)) return full;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\n/g, '\n    ');
