import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import pg from 'pg';
import { ensureSearchAttributes } from '../../worker/search-attributes-check';
import { runToEnd, startChild } from '../lib/child-process';
import { findFreePort, findFreePortBetween, isPortFree } from './ports';

/**
 * The real Temporal server (`temporal-server start`, not `start-dev`): frontend, history,
 * matching and worker services in one process, persistence and visibility in databases of
 * their own on the stack's Postgres. State beyond Postgres (the generated config and the
 * ports it uses) lives in `<dataDir>/temporal-server`.
 */

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface TemporalServerOptions {
  /** The server binary; the `sql` schema tool is expected beside it (scripts/stack/binaries.ts builds both). */
  bin: string;
  dataDir: string;
  /** The frontend's gRPC port, the one clients use. */
  port: number;
  postgres: PostgresTarget;
  namespace?: string;
  log?: (line: string) => void;
  verbose?: boolean;
  timeoutMs?: number;
}

export interface RunningTemporalServer {
  address: string;
  pid: number;
  stop(): Promise<void>;
}

/** Each service listens on a gRPC port and a membership (ringpop) port; the frontend also serves HTTP. */
interface ServerPorts {
  frontendMembership: number;
  frontendHttp: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
}

// Each of the four services opens pools of its own: 4 × (10 + 4) connections at most keeps the
// server well inside Postgres's default 100, which it shares with the web app's and workers' pools
// (with 20 + 10, as first tried, it held 42 connections while idle).
const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal', maxConns: 10 },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility', maxConns: 4 },
] as const;

export async function startTemporalServer(opts: TemporalServerOptions): Promise<RunningTemporalServer> {
  const log = opts.log ?? (() => {});
  const namespace = opts.namespace ?? 'default';
  const address = `127.0.0.1:${opts.port}`;
  const stateDir = path.join(opts.dataDir, 'temporal-server');
  await mkdir(stateDir, { recursive: true });

  await prepareDatabases(path.join(path.dirname(opts.bin), 'sql'), opts.postgres, log);
  const ports = await serverPorts(stateDir, opts.port);
  const configFile = path.join(stateDir, 'config.yaml');
  const dynamicConfigFile = path.join(stateDir, 'dynamicconfig.yaml');
  // It holds the Postgres password (the one DATABASE_URL names, when that is external): owner only.
  await writeFile(configFile, renderConfig(opts.port, ports, opts.postgres, dynamicConfigFile, opts.verbose ? 'info' : 'warn'), { mode: 0o600 });
  await chmod(configFile, 0o600);
  await writeFile(dynamicConfigFile, renderDynamicConfig());

  const proc = await startChild({
    name: 'temporal-server',
    command: opts.bin,
    args: ['--config-file', configFile, 'start', '--service', 'frontend', '--service', 'history', '--service', 'matching', '--service', 'worker'],
    pidDir: opts.dataDir,
    onLine: opts.verbose ? (line) => log(`[temporal-server] ${line}`) : undefined,
    ready: { probe: readiness(address, namespace) },
    readyTimeoutMs: opts.timeoutMs ?? 120_000,
  });
  return { address, pid: proc.pid, stop: proc.stop };
}

// ---------------------------------------------------------------------------------------
// Schema: created once, brought up to the server's version on every start

/**
 * Creates the two databases and their schema with the server's own `sql` tool. Every step is
 * skipped when already done, so a second start on the same data costs two `update-schema`
 * runs that find nothing to apply. The schema files are embedded in the tool (`--schema-name`),
 * so no Go module cache is needed on the machine.
 */
async function prepareDatabases(sqlBin: string, target: PostgresTarget, log: (line: string) => void): Promise<void> {
  const existing = await withClient(target, 'postgres', async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [DATABASES.map((d) => d.name)]);
    return new Set(rows.map((r) => r.datname));
  });
  await Promise.all(
    DATABASES.map(async (db) => {
      const sql = (...args: string[]) => runSqlTool(sqlBin, target, db.name, args);
      if (!existing.has(db.name)) {
        log(`creating the ${db.name} database and its schema for the Temporal server…`);
        await sql('create-database');
      }
      const versioned = await withClient(target, db.name, async (client) => {
        const { rows } = await client.query<{ found: string | null }>("SELECT to_regclass('schema_version')::text AS found");
        return rows[0]?.found !== null;
      });
      // setup-schema is idempotent too (it never lowers a version); skipping it saves a run.
      if (!versioned) await sql('setup-schema', '-v', '0.0');
      await sql('update-schema', '--schema-name', db.schema);
    }),
  );
}

async function runSqlTool(sqlBin: string, target: PostgresTarget, database: string, args: string[]): Promise<void> {
  const { code, output } = await runToEnd(
    sqlBin,
    ['--plugin', 'postgres12', '--ep', target.host, '-p', String(target.port), '-u', target.user, '--db', database, ...args],
    // The password through the environment, not argv (visible in ps).
    { cwd: path.dirname(sqlBin), env: { ...process.env, SQL_PASSWORD: target.password }, timeoutMs: 120_000 },
  );
  if (code !== 0) throw new Error(`Temporal sql tool ${args[0]} on ${database} failed (${code}):\n${output.trim().split('\n').slice(-15).join('\n')}`);
}

async function withClient<T>(target: PostgresTarget, database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: target.host, port: target.port, user: target.user, password: target.password, database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------
// Ports and config

/**
 * The ports besides the frontend's, kept in the state dir: a restart on the same data finds
 * its services where the membership table says they were. Any that is taken by now is replaced.
 * Membership ports go in a SMALLINT column of the server's schema, so they stay below 32768
 * (which also keeps them out of Linux's ephemeral range, where the other free ports come from).
 */
async function serverPorts(stateDir: string, frontendPort: number): Promise<ServerPorts> {
  const file = path.join(stateDir, 'ports.json');
  let saved: Partial<ServerPorts> = {};
  try {
    saved = JSON.parse(await readFile(file, 'utf8')) as Partial<ServerPorts>;
  } catch {
    // first start
  }
  const ports = {} as ServerPorts;
  const taken = new Set([frontendPort]);
  for (const key of Object.keys(PORT_RANGES) as (keyof ServerPorts)[]) {
    const range = PORT_RANGES[key];
    const fresh = () => (range ? findFreePortBetween(...range) : findFreePort());
    const previous = saved[key];
    const usable = previous !== undefined && !taken.has(previous) && (!range || (previous >= range[0] && previous <= range[1]));
    let port = usable && (await isPortFree(previous)) ? previous : await fresh();
    while (taken.has(port)) port = await fresh();
    taken.add(port);
    ports[key] = port;
  }
  await writeFile(file, `${JSON.stringify(ports, null, 2)}\n`);
  return ports;
}

const MEMBERSHIP: [number, number] = [20_000, 32_767];
// Any free port the kernel hands out.
const ANY = undefined;
const PORT_RANGES: Record<keyof ServerPorts, [number, number] | undefined> = {
  frontendMembership: MEMBERSHIP,
  frontendHttp: ANY,
  historyGrpc: ANY,
  historyMembership: MEMBERSHIP,
  matchingGrpc: ANY,
  matchingMembership: MEMBERSHIP,
  workerGrpc: ANY,
  workerMembership: MEMBERSHIP,
};

/**
 * The server's config, after the module's config/development-postgres12.yaml. Written as
 * JSON, which YAML accepts, so no YAML library is needed; regenerated at every start.
 */
function renderConfig(frontendPort: number, ports: ServerPorts, db: PostgresTarget, dynamicConfigFile: string, level: 'info' | 'warn'): string {
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${db.host}:${db.port}`,
      connectProtocol: 'tcp',
      user: db.user,
      password: db.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, extra: Record<string, number> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  const [persistence, visibility] = DATABASES;
  const config = {
    log: { stdout: true, level },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: 4,
      datastores: { default: datastore(persistence.name, persistence.maxConns), visibility: datastore(visibility.name, visibility.maxConns) },
    },
    // No pprof and no metrics listener: each would be one more fixed port.
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(frontendPort, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: service(ports.historyGrpc, ports.historyMembership),
      matching: service(ports.matchingGrpc, ports.matchingMembership),
      worker: service(ports.workerGrpc, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${frontendPort}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
  return generated(config);
}

/**
 * Dynamic config: the one limit the dev server raises that the product's tests and tools can
 * hit (listing workflows: 10 visibility requests a second per namespace by default).
 */
function renderDynamicConfig(): string {
  return generated({ 'frontend.namespaceRPS.visibility': [{ value: 100 }] });
}

const generated = (content: unknown) =>
  `# Generated by scripts/stack/temporal-server.ts at every start; edits are overwritten.\n${JSON.stringify(content, null, 2)}\n`;

// ---------------------------------------------------------------------------------------
// Readiness: frontend up, namespace registered, search attributes added

const RETENTION_MS = 24 * 60 * 60_000; // the dev server's default

/** Each step runs until it succeeds once; a step that throws is "not yet" and is retried by startChild. */
function readiness(address: string, namespace: string): () => Promise<boolean> {
  let connection: Connection | undefined;
  let namespaceReady = false;
  return async () => {
    connection ??= await Connection.connect({ address, connectTimeout: '2s' });
    try {
      await connection.workflowService.getSystemInfo({});
      if (!namespaceReady) {
        await registerNamespace(connection, namespace);
        namespaceReady = true;
      }
      // The same check the worker makes at start: lists them and adds the missing ones.
      const { added } = await ensureSearchAttributes(connection, namespace);
      // Added ones show up in the next list; ready once a list finds them all.
      if (added.length > 0) return false;
      await connection.close();
      return true;
    } catch (error) {
      await connection.close().catch(() => undefined);
      connection = undefined;
      throw error;
    }
  };
}

async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch (error) {
    if (!isGrpcCode(error, GRPC_NOT_FOUND)) throw error;
  }
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION_MS) });
  } catch (error) {
    if (!isGrpcCode(error, GRPC_ALREADY_EXISTS)) throw error;
  }
  // Throws NotFound until the frontend's namespace cache has it: the probe retries.
  await connection.workflowService.describeNamespace({ namespace });
}

const GRPC_ALREADY_EXISTS = 6;
const GRPC_NOT_FOUND = 5;
const isGrpcCode = (error: unknown, code: number) => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
