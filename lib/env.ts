import { z } from 'zod';
import { certificateKeyMismatch, type PemKind, readPemFile } from './pem-files';

/**
 * Configuration, parsed once per process with zod. The shared part is what both the web
 * app and the worker need; the web part adds auth. Every bad variable is reported at once.
 */

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const positiveInt = z.coerce.number().int().positive();

const listenAddress = z.string().regex(/^(\[[^\]\s]+\]|[^\s:]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464');

/** A path to a PEM file, read and parsed while the environment is checked. */
const pemPath = (kind: PemKind) =>
  z.string().superRefine((path, ctx) => {
    const read = readPemFile(path, kind);
    if ('problem' in read) ctx.addIssue({ code: 'custom', message: read.problem });
  });

const sharedFields = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL'),
  DATABASE_POOL_SIZE: positiveInt.default(10),

  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port, e.g. 127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('user-export'),
  TEMPORAL_TLS: bool.default(false),
  // A private CA's certificate(s), the client certificate and key for mTLS, and the name the
  // server's certificate carries when it differs from TEMPORAL_ADDRESS's host. Each implies TLS.
  TEMPORAL_TLS_CA_PATH: pemPath('certificate').optional(),
  TEMPORAL_TLS_CERT_PATH: pemPath('certificate').optional(),
  TEMPORAL_TLS_KEY_PATH: pemPath('private key').optional(),
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name, e.g. temporal.internal')
    .optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_UI_URL: z.url().optional(),

  S3_ENDPOINT: z.url().optional(),
  S3_PUBLIC_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: z.string().min(3).max(63),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),

  EXPORT_LINK_TTL_SECONDS: positiveInt.max(7 * 24 * 3600).default(300),
  EXPORT_RETENTION_DAYS: positiveInt.default(7),
  // Overrides EXPORT_RETENTION_DAYS when set: tests expire exports in seconds.
  EXPORT_RETENTION_SECONDS: positiveInt.optional(),
  EXPORT_RATE_PER_MINUTE: positiveInt.default(30),
  EXPORT_MAX_CONCURRENT: positiveInt.default(10),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(4),
  EXPORT_STALL_TIMEOUT_SECONDS: positiveInt.max(3600).default(30),
  // Temporal worker deployment versioning (docs/deploy.md): both set, or neither.
  WORKER_DEPLOYMENT_NAME: z.string().min(1).optional(),
  WORKER_BUILD_ID: z.string().min(1).optional(),
  WORKER_MAX_CONCURRENT_WORKFLOWS: positiveInt.default(40),
  // A bulk export runs at most this many of its users at once, and never more than
  // EXPORT_MAX_CONCURRENT: single exports keep the rest of the tenant's slots.
  BULK_EXPORT_CONCURRENCY: positiveInt.default(4),
  // Users per parent workflow run before it continues as new: bounds its history (tests make it small).
  BULK_EXPORT_BATCH_SIZE: positiveInt.max(1000).default(100),

  // Mail on an export's ending. Unset SMTP_URL: no mail is sent at all.
  SMTP_URL: z
    .url()
    .regex(/^smtps?:\/\//, 'must be smtp:// or smtps:// (user:password@host:port)')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Export Console <exports@localhost>'),
  // The app's public URL as a mail reader's browser reaches it; the worker links to it.
  // Defaults to NEXTAUTH_URL (the same address for the web app) when that is set.
  APP_URL: z.url().optional(),
  NEXTAUTH_URL: z.url().optional(),

  // Read by lib/log.mjs and lib/telemetry/tracing.ts themselves; listed here so a typo refuses to start.
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  // Worker only: host:port of its ops listener (/metrics, /healthz, /readyz); unset = none.
  WORKER_METRICS_ADDRESS: listenAddress.optional(),
});

/**
 * Settings that only work together: a client certificate needs its key (and must match
 * it), and S3 keys come in pairs; half a pair would silently fall back to other credentials.
 */
function checkPairs(env: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const pairs = [
    ['TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH', 'the client certificate for mTLS needs its private key'],
    ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', "set both, or neither to use the AWS SDK's default credentials (AWS_* variables, profile, role)"],
  ] as const;
  for (const [a, b, why] of pairs) {
    for (const [set, missing] of [
      [a, b],
      [b, a],
    ] as const) {
      if (env[set] !== undefined && env[missing] === undefined) {
        ctx.addIssue({ code: 'custom', path: [missing], message: `is required when ${set} is set: ${why}` });
      }
    }
  }
  const { TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: keyPath } = env;
  if (typeof certPath === 'string' && typeof keyPath === 'string') {
    const cert = readPemFile(certPath, 'certificate');
    const key = readPemFile(keyPath, 'private key');
    const mismatch = 'pem' in cert && 'pem' in key ? certificateKeyMismatch(cert.pem, key.pem) : undefined;
    if (mismatch) ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_KEY_PATH'], message: `${mismatch} in TEMPORAL_TLS_CERT_PATH` });
  }
}

// `when`: run even when other variables are bad, so every problem is listed at once.
const pairChecks = z.superRefine(checkPairs, { when: () => true });

export const sharedEnvSchema = sharedFields.check(pairChecks);

/** `npm run dev`'s published session secret starts with this; production refuses it. */
export const devSecretPrefix = 'local-dev-only-';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Production refuses what only a laptop may use: a missing, short or published secret
 * (anyone could forge sessions), and a missing or plain-http public URL (next-auth then
 * drops `Secure` from its cookies and redirects to localhost). Loopback http stays allowed
 * so the production build can be tested locally.
 */
function checkProduction(env: Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV !== 'production') return;
  const secret = env.NEXTAUTH_SECRET;
  if (typeof secret === 'string' && secret.startsWith(devSecretPrefix)) {
    ctx.addIssue({ code: 'custom', path: ['NEXTAUTH_SECRET'], message: `is the public development value; set a real one (openssl rand -base64 32)` });
  }
  const url = env.NEXTAUTH_URL;
  if (url === undefined) {
    ctx.addIssue({ code: 'custom', path: ['NEXTAUTH_URL'], message: 'is required in production: the public https:// URL of the app' });
  } else if (typeof url === 'string' && URL.canParse(url)) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && !loopbackHosts.has(parsed.hostname)) {
      ctx.addIssue({ code: 'custom', path: ['NEXTAUTH_URL'], message: 'must be https:// in production (plain http only on localhost)' });
    }
  }
}

export const webEnvSchema = sharedFields
  .extend({
    NODE_ENV: z.string().optional(),
    NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters (openssl rand -base64 32)'),
    SESSION_MAX_AGE_SECONDS: positiveInt.max(8 * 3600).default(8 * 3600),
    // Proxies in front of the app whose X-Forwarded-For entries are believed (0 = none).
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    // host:port of the Prometheus listener (GET /metrics), never the app's port; unset = none.
    WEB_METRICS_ADDRESS: listenAddress.optional(),
  })
  .check(pairChecks)
  .check(z.superRefine(checkProduction, { when: () => true }));

export type SharedEnv = z.infer<typeof sharedEnvSchema>;
export type WebEnv = z.infer<typeof webEnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSee .env.example for every variable and its meaning.',
    );
    this.name = 'ConfigError';
  }
}

/** Parses `source` with `schema`, throwing one ConfigError that lists every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.infer<S> {
  // Empty strings count as unset, so `FOO=` in a .env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(root)';
    const message = issue.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : issue.message;
    return `${name} ${message}`;
  });
  throw new ConfigError(problems);
}

let shared: SharedEnv | undefined;
let web: WebEnv | undefined;

/** Shared configuration for web and worker; parsed on first use, then cached. */
export function sharedEnv(): SharedEnv {
  return (shared ??= parseEnv(sharedEnvSchema, process.env));
}

/** Just the database URL, for scripts that need nothing else (migrate, seed). */
export function databaseEnv(): Pick<SharedEnv, 'DATABASE_URL'> {
  return parseEnv(sharedFields.pick({ DATABASE_URL: true }), process.env);
}

/** Web-only configuration (adds auth); parsed on first use, then cached. */
export function webEnv(): WebEnv {
  return (web ??= parseEnv(webEnvSchema, process.env));
}

/** How long a completed export's file is kept: EXPORT_RETENTION_SECONDS, else EXPORT_RETENTION_DAYS. */
export function retentionSeconds(env: Pick<SharedEnv, 'EXPORT_RETENTION_DAYS' | 'EXPORT_RETENTION_SECONDS'>): number {
  return env.EXPORT_RETENTION_SECONDS ?? env.EXPORT_RETENTION_DAYS * 24 * 3600;
}
