import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { type Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { type StartedChild, startChild } from '../../scripts/lib/child-process';
import { resolveTool } from '../../scripts/stack/binaries';
import { findFreePort } from '../../scripts/stack/index';
import { sleep } from '../../scripts/stack/processes';

/**
 * The real Temporal server (not `start-dev`) with a configuration a test writes: SQLite in
 * memory, every service in one process, and optionally TLS on the frontend and the default
 * JWT authorizer. For tests that need what only the server's own config can switch on.
 */

export interface TemporalServerOptions {
  /** Where the config goes (a temp dir the test owns). */
  dir: string;
  /** Frontend TLS: the server's certificate, and the CA its clients' certificates must chain to (mTLS) when given. */
  tls?: { certPath: string; keyPath: string; clientCaPath?: string };
  /** Turns on the default authorizer and JWT claim mapper, verifying tokens with this JWKS file. */
  jwksPath?: string;
}

export interface RunningTemporalServer {
  /** The public frontend, host:port. */
  address: string;
  child: StartedChild;
  stop(): Promise<void>;
}

const rpc = async (withHttp = false) => ({
  grpcPort: await findFreePort(),
  membershipPort: await findFreePort(),
  bindOnLocalHost: true,
  ...(withHttp ? { httpPort: await findFreePort() } : {}),
});

const sqlite = (name: string) => ({
  sql: {
    pluginName: 'sqlite',
    databaseName: name,
    connectAddr: 'localhost',
    connectProtocol: 'tcp',
    // The schema is created on connect in memory mode; `private` keeps the two stores apart.
    connectAttributes: { mode: 'memory', cache: 'private' },
    maxConns: 1,
    maxIdleConns: 1,
    maxConnLifetime: '1h',
  },
});

/** The shape of the module's config/development-sqlite.yaml, with free ports. JSON is valid YAML. */
async function serverConfig(opts: TemporalServerOptions) {
  const frontend = await rpc(true);
  const services = {
    frontend: { rpc: frontend },
    history: { rpc: await rpc() },
    matching: { rpc: await rpc() },
    worker: { rpc: await rpc() },
    // The system worker would need a client certificate and a token of its own for the
    // public frontend: it uses this one, which skips authorization (plaintext, loopback).
    'internal-frontend': { rpc: await rpc() },
  };
  const tls = opts.tls && {
    frontend: {
      server: {
        certFile: opts.tls.certPath,
        keyFile: opts.tls.keyPath,
        ...(opts.tls.clientCaPath ? { clientCaFiles: [opts.tls.clientCaPath], requireClientAuth: true } : {}),
      },
    },
  };
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: 1,
      datastores: { default: sqlite('default'), visibility: sqlite('visibility') },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      ...(tls ? { tls } : {}),
      ...(opts.jwksPath
        ? { authorization: { authorizer: 'default', claimMapper: 'default', jwtKeyProvider: { keySourceURIs: [`file://${opts.jwksPath}`] } } }
        : {}),
    },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${frontend.grpcPort}`,
          httpAddress: `127.0.0.1:${frontend.httpPort}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
  };
  return { config, frontendPort: frontend.grpcPort };
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts the server; resolves once its frontend accepts connections. Register a namespace before use. */
export async function startTemporalServer(opts: TemporalServerOptions): Promise<RunningTemporalServer> {
  const binary = await resolveTool('temporal-server');
  const { config, frontendPort } = await serverConfig(opts);
  const configFile = path.join(opts.dir, 'temporal-server.yaml');
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const args = ['--config-file', configFile, ...(opts.jwksPath ? [] : ['--allow-no-auth']), 'start'];
  const child = await startChild({
    name: 'temporal-server',
    command: binary,
    args,
    cwd: opts.dir,
    ready: { probe: () => acceptsConnections(frontendPort) },
    // A cold start on a busy machine: migrations of the in-memory schema, membership join.
    readyTimeoutMs: 120_000,
    stopSignal: 'SIGTERM',
  });
  return { address: `127.0.0.1:${frontendPort}`, child, stop: () => child.stop() };
}

/**
 * Registers `namespace` (a fresh server has none), waiting out the server's start (its
 * frontend accepts connections before the rest of the cluster has joined) and the cache.
 */
const grpcAlreadyExists = 6;

export async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
      break;
    } catch (error) {
      if (isGrpcServiceError(error) && error.code === grpcAlreadyExists) break;
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
  // A new namespace takes a moment to reach the frontend's cache; workers check it at start.
  while (
    !(await connection.workflowService.describeNamespace({ namespace }).then(
      () => true,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`namespace ${namespace} registered but not visible within 90 s`);
    await sleep(500);
  }
}
