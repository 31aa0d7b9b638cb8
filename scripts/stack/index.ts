import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { removeDevStackState, writeDevStackState } from '../../lib/dev-stack-state';
import { resolveTool } from './binaries';
import { findFreePort, listenOnce } from './ports';
import { preparePostgresUser, startPostgres, stopLeftoverPostgres } from './postgres';
import { startMailpit } from './mailpit';
import { killLeftovers } from './processes';
import { startS3 } from './s3';
import { startTemporal } from './temporal';
import { startTemporalServer, type PostgresTarget } from './temporal-server';

/**
 * The local stack: Postgres, Temporal, S3 and Mailpit (SMTP) as child processes with state
 * in one data dir. Any service the environment already names (DATABASE_URL,
 * TEMPORAL_ADDRESS, S3_ENDPOINT, SMTP_URL) is used as is and not started. Temporal is the
 * dev server (`start-dev`, SQLite, with the Web UI) or, as the `server` profile, the real
 * server on the stack's Postgres (scripts/stack/temporal-server.ts).
 */

export type TemporalProfile = 'dev' | 'server';
const TEMPORAL_PROFILES: TemporalProfile[] = ['dev', 'server'];

export interface StackPorts {
  postgres: number;
  temporal: number;
  temporalUi: number;
  s3: number;
  smtp: number;
  mailpitUi: number;
}

export interface StartStackOptions {
  dataDir: string;
  ports?: Partial<StackPorts>;
  /** Defaults to process.env. A plain record: Next's types make NODE_ENV required on ProcessEnv. */
  env?: Env;
  log?: (line: string) => void;
  /** Which Temporal to start; defaults to EMBEDDED_TEMPORAL, else `dev`. */
  temporal?: TemporalProfile;
  /** false: Postgres without durability (fsync etc. off), for throwaway test stacks only; see scripts/stack/postgres.ts. Default true. */
  durable?: boolean;
}

/** Stops and starts one service of the stack on the same ports and data (fault and scale tests). */
export interface ServiceControl {
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface Stack {
  env: Record<string, string>;
  /** Which services this stack started itself (the rest came from the environment). */
  embedded: Wanted;
  urls: { temporalUi?: string; s3?: string; mailpitUi?: string };
  /** Which Temporal this stack started, if it started one. */
  temporalProfile?: TemporalProfile;
  /** The Temporal it started (either profile); stack.stop() stops whichever instance is current. */
  temporal?: ServiceControl;
  stop(): Promise<void>;
}

/** Off the usual 5432 / 7233+8233 / 9000+7070 so a developer's own services keep theirs. */
export const DEFAULT_PORTS: StackPorts = { postgres: 54329, temporal: 17233, temporalUi: 18233, s3: 17070, smtp: 11025, mailpitUi: 18025 };

const PORT_ENV: Record<keyof StackPorts, string> = {
  postgres: 'EMBEDDED_PG_PORT',
  temporal: 'EMBEDDED_TEMPORAL_PORT',
  temporalUi: 'EMBEDDED_TEMPORAL_UI_PORT',
  s3: 'EMBEDDED_S3_PORT',
  smtp: 'EMBEDDED_SMTP_PORT',
  mailpitUi: 'EMBEDDED_MAILPIT_UI_PORT',
};

/** Fixed and obviously local: these only ever guard services bound to 127.0.0.1. */
export const DEV_CREDENTIALS = {
  postgresPassword: 'export-console-dev',
  s3AccessKeyId: 'export-console-dev',
  s3SecretAccessKey: 'export-console-dev-secret',
} as const;

export { findFreePort };

const S3_BUCKET = 'exports';
const S3_REGION = 'us-east-1';
const TEMPORAL_NAMESPACE = 'default';
const MAIL_FROM = 'Export Console <exports@localhost>';

type Env = Record<string, string | undefined>;

interface Wanted {
  postgres: boolean;
  temporal: boolean;
  s3: boolean;
  mail: boolean;
}

interface Running {
  name: string;
  stop(): Promise<void>;
}

export async function startStack(opts: StartStackOptions): Promise<Stack> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => console.error(line));
  const verbose = env.STACK_VERBOSE === '1';
  const dataDir = path.resolve(opts.dataDir);
  const ports = resolvePorts(env, opts.ports);
  const profile = temporalProfile(env, opts.temporal);
  const want: Wanted = { postgres: !env.DATABASE_URL, temporal: !env.TEMPORAL_ADDRESS, s3: !env.S3_ENDPOINT, mail: !env.SMTP_URL };
  // Every service external: nothing to start, and the data dir (maybe another stack's) stays untouched.
  if (!want.postgres && !want.temporal && !want.s3 && !want.mail)
    return { env: ordered(passThrough(env, want)), embedded: want, urls: {}, stop: async () => {} };

  await mkdir(dataDir, { recursive: true });
  await killLeftovers(dataDir, log);
  // Also found via its own postmaster.pid, in case the pid record was lost.
  if (want.postgres) await stopLeftoverPostgres(dataDir, log);
  await Promise.all([
    want.postgres && assertPortFree(ports.postgres, 'postgres'),
    want.temporal && assertPortFree(ports.temporal, 'temporal'),
    want.temporal && profile === 'dev' && assertPortFree(ports.temporalUi, 'temporalUi'),
    want.s3 && assertPortFree(ports.s3, 's3'),
    want.mail && assertPortFree(ports.smtp, 'smtp'),
    want.mail && assertPortFree(ports.mailpitUi, 'mailpitUi'),
  ]);

  // Binaries first: Postgres binaries its user cannot reach (as root) or a missing tool
  // fail fast, before anything is started (and before a first-time `go install`).
  if (want.postgres) await preparePostgresUser(dataDir);
  const [temporalBin, s3Bin, mailpitBin] = await Promise.all([
    want.temporal ? resolveTool(profile === 'server' ? 'temporal-server' : 'temporal', { log, env }) : undefined,
    want.s3 ? resolveTool('versitygw', { log, env }) : undefined,
    want.mail ? resolveTool('mailpit', { log, env }) : undefined,
  ]);

  const started = Date.now();
  const out: Record<string, string> = {};
  const urls: Stack['urls'] = {};
  let temporalControl: ServiceControl | undefined;
  const postgresStarted =
    want.postgres &&
    startPostgres({ dataDir, port: ports.postgres, password: DEV_CREDENTIALS.postgresPassword, log, verbose, durable: opts.durable }).then((pg) => {
      out.DATABASE_URL = pg.url;
      return { name: 'postgres', stop: pg.stop };
    });
  const startDevServer = async () => {
    const t = await startTemporal({ bin: temporalBin!, dataDir, port: ports.temporal, uiPort: ports.temporalUi, namespace: TEMPORAL_NAMESPACE, log, verbose });
    Object.assign(out, { TEMPORAL_ADDRESS: t.address, TEMPORAL_NAMESPACE, TEMPORAL_UI_URL: t.uiUrl });
    urls.temporalUi = t.uiUrl;
    return t;
  };
  const startRealServer = async () => {
    const t = await startTemporalServer({
      bin: temporalBin!,
      dataDir,
      port: ports.temporal,
      postgres: postgresTarget(out.DATABASE_URL ?? env.DATABASE_URL!),
      namespace: TEMPORAL_NAMESPACE,
      log,
      verbose,
    });
    // No Web UI with the real server: TEMPORAL_UI_URL stays unset.
    Object.assign(out, { TEMPORAL_ADDRESS: t.address, TEMPORAL_NAMESPACE });
    return t;
  };
  const results = await Promise.allSettled([
    postgresStarted,
    temporalBin &&
      // The real server keeps its state in Postgres, so it starts once Postgres is up.
      (profile === 'server'
        ? Promise.resolve(postgresStarted).then(
            () => restartable(startRealServer),
            () => Promise.reject(new Error('the Temporal server was not started: it needs Postgres, which did not start')),
          )
        : restartable(startDevServer)
      ).then((control) => {
        temporalControl = control;
        return { name: profile === 'server' ? 'temporal-server' : 'temporal', stop: control.stop };
      }),
    s3Bin &&
      startS3({
        bin: s3Bin,
        dataDir,
        port: ports.s3,
        accessKeyId: DEV_CREDENTIALS.s3AccessKeyId,
        secretAccessKey: DEV_CREDENTIALS.s3SecretAccessKey,
        bucket: S3_BUCKET,
        region: S3_REGION,
        log,
        verbose,
      }).then((s3) => {
        Object.assign(out, {
          S3_ENDPOINT: s3.endpoint,
          S3_PUBLIC_ENDPOINT: s3.endpoint,
          S3_REGION,
          S3_BUCKET,
          S3_ACCESS_KEY_ID: DEV_CREDENTIALS.s3AccessKeyId,
          S3_SECRET_ACCESS_KEY: DEV_CREDENTIALS.s3SecretAccessKey,
          S3_FORCE_PATH_STYLE: 'true',
        });
        urls.s3 = s3.endpoint;
        return { name: 's3', stop: s3.stop };
      }),
    mailpitBin &&
      startMailpit({ bin: mailpitBin, dataDir, smtpPort: ports.smtp, uiPort: ports.mailpitUi, log, verbose }).then((mail) => {
        Object.assign(out, { SMTP_URL: mail.smtpUrl, MAIL_FROM, MAILPIT_URL: mail.uiUrl });
        urls.mailpitUi = mail.uiUrl;
        return { name: 'mailpit', stop: mail.stop };
      }),
  ]);

  const running: Running[] = [];
  const failures: string[] = [];
  for (const result of results) {
    if (result.status === 'rejected') failures.push(result.reason instanceof Error ? result.reason.message : String(result.reason));
    else if (result.value) running.push(result.value);
  }
  const stop = once(async () => {
    await removeDevStackState(dataDir);
    await Promise.all(running.map((r) => r.stop()));
  });
  if (failures.length > 0) {
    await stop();
    throw new Error(`local stack failed to start:\n${failures.join('\n\n')}`);
  }
  const stackEnv = ordered({ ...passThrough(env, want), ...out });
  if (running.length > 0) {
    log(`started ${running.map((r) => r.name).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)}s (data in ${dataDir})`);
    // For processes started by hand beside this stack (npm run worker): see lib/dev-stack-state.ts.
    await writeDevStackState(dataDir, stackEnv).catch(async (err: unknown) => {
      await stop();
      throw err;
    });
  }
  return { env: stackEnv, embedded: want, urls, ...(temporalControl && { temporalProfile: profile, temporal: temporalControl }), stop };
}

function temporalProfile(env: Env, explicit?: TemporalProfile): TemporalProfile {
  const value = explicit ?? (env.EMBEDDED_TEMPORAL || 'dev');
  if (!TEMPORAL_PROFILES.includes(value as TemporalProfile)) {
    throw new Error(`invalid Temporal profile "${value}"${explicit ? '' : ' (from EMBEDDED_TEMPORAL)'}: use ${TEMPORAL_PROFILES.join(' or ')}`);
  }
  return value as TemporalProfile;
}

/** Where the real server keeps its databases: the server DATABASE_URL points at, with its credentials. */
function postgresTarget(databaseUrl: string): PostgresTarget {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

/** A service the stack can stop and start again on its ports and data; stop() is a no-op while it is down. */
async function restartable(start: () => Promise<{ stop(): Promise<void> }>): Promise<ServiceControl> {
  let current: { stop(): Promise<void> } | undefined = await start();
  return {
    async stop() {
      const running = current;
      current = undefined;
      await running?.stop();
    },
    async start() {
      if (current) throw new Error('already running: stop it first');
      current = await start();
    },
  };
}

/** Values for the services the environment provides itself. */
function passThrough(env: Env, want: Wanted): Record<string, string> {
  const pick = (keys: string[], defaults: Record<string, string> = {}) => {
    const picked: Record<string, string> = { ...defaults };
    for (const key of keys) if (env[key]) picked[key] = env[key];
    return picked;
  };
  return {
    ...(!want.postgres && pick(['DATABASE_URL'])),
    ...(!want.temporal && pick(['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_UI_URL'], { TEMPORAL_NAMESPACE })),
    ...(!want.s3 &&
      pick(['S3_ENDPOINT', 'S3_PUBLIC_ENDPOINT', 'S3_REGION', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE'], {
        S3_PUBLIC_ENDPOINT: env.S3_ENDPOINT ?? '',
        S3_REGION,
        S3_BUCKET,
        S3_FORCE_PATH_STYLE: 'true',
      })),
    ...(!want.mail && pick(['SMTP_URL', 'MAIL_FROM'])),
  };
}

function resolvePorts(env: Env, explicit: Partial<StackPorts> = {}): StackPorts {
  const ports = { ...DEFAULT_PORTS };
  for (const key of Object.keys(ports) as (keyof StackPorts)[]) {
    const fromEnv = env[PORT_ENV[key]];
    const value = explicit[key] ?? (fromEnv ? Number(fromEnv) : DEFAULT_PORTS[key]);
    if (!Number.isInteger(value) || value <= 0 || value > 65535) {
      throw new Error(`invalid ${key} port ${explicit[key] ?? fromEnv} (from ${explicit[key] !== undefined ? 'opts.ports' : PORT_ENV[key]})`);
    }
    ports[key] = value;
  }
  return ports;
}

/** A clear message now beats a server dying with "address in use" mid-start, or worse, our readiness probe answering from someone else's server. */
async function assertPortFree(port: number, key: keyof StackPorts): Promise<void> {
  try {
    await listenOnce(port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`port ${port} for ${key} is not available on 127.0.0.1 (${code ?? String(err)}); free it or set ${PORT_ENV[key]}`);
  }
}

/** Free ports for every service of a stack (tests and the bench run beside `npm run dev`). */
export async function findFreeStackPorts(): Promise<StackPorts> {
  return {
    postgres: await findFreePort(),
    temporal: await findFreePort(),
    temporalUi: await findFreePort(),
    s3: await findFreePort(),
    smtp: await findFreePort(),
    mailpitUi: await findFreePort(),
  };
}

const ENV_ORDER = [
  'DATABASE_URL',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_UI_URL',
  'S3_ENDPOINT',
  'S3_PUBLIC_ENDPOINT',
  'S3_REGION',
  'S3_BUCKET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  'SMTP_URL',
  'MAIL_FROM',
  'MAILPIT_URL',
];

/** Same key order every run, whichever service came up first (the CLI prints it). */
function ordered(env: Record<string, string>): Record<string, string> {
  const rank = (key: string) => (ENV_ORDER.includes(key) ? ENV_ORDER.indexOf(key) : ENV_ORDER.length);
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => rank(a) - rank(b)));
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let promise: Promise<void> | undefined;
  return () => (promise ??= fn());
}
