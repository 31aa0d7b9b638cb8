import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { createDb } from '../../lib/db/client';
import { parseEnv, type SharedEnv, sharedEnvSchema } from '../../lib/env';
import type { UserExportInput } from '../../lib/exports/export.contracts';
import { createQueuedExport } from '../../lib/exports/export-lifecycle';
import { exportStartSearchAttributes } from '../../lib/temporal/search-attributes';
import { startRegisteredWorkflow } from '../../lib/temporal/start-workflow';
import { createWorkerS3Client } from '../../lib/storage/s3';
import { connectTemporal } from '../../lib/temporal/connection';
import { prepareDatabase, randomSecret } from '../lib/app-env';
import { findFreePort, findFreeStackPorts, startStack, type Stack, type TemporalProfile } from '../stack/index';
import { ageCompletedExports } from './age-exports';
import { ApiSession } from './api-session';
import { acceptedIds, type BurstAnswer, type BurstContext, checkBurst, failedChecks, postBurst, retryUnavailable, waitForBurst } from './burst-checks';
import { cpuSpan, processCpuSpan } from './cpu-monitor';
import { seedScaleData, type ScaleData, type ScaleUser } from './seed-scale-data';
import { type Background, buildWorker, startBuiltWorker, startWeb } from './services';
import { formatMs, round, summarize, type Summary } from './stats';

/**
 * Scale-out: 2 web instances and 3 workers on a private stack per Temporal profile, the
 * same burst of exports (three tenants, requests alternating between the instances) on the
 * real server and on the dev server, checked for loss and duplication as the load section
 * checks; then, on the real server, one burst each with 1, 2 and 3 workers, with the CPU
 * share of every process (on 2 cores that shows where the ceiling is).
 */

/** Requests in flight at once (as the scale-out suite): a crowd of clients, half on each web instance, within its 10-connection pool. */
export const scaleClients = 16;

export interface ScaleBurst {
  profile: TemporalProfile;
  exports: number;
  workers: number;
  /** Requested through the web instances, or started directly (sweep): see measureBurst. */
  via: 'web' | 'direct';
  wallMs: number;
  /** How long each request (or direct start) took to answer. */
  postMs: Summary;
  exportsPerSec: number;
  /** Requests answered 503 (busy database) and sent again, as the API's answer asks. */
  retried: number;
  /** Failed loss/duplication checks (empty: none lost, none duplicated, every object right). */
  failed: string[];
  /** Share of all cores per process over the burst (web-1, web-2, worker-N, the stack's services, other work on the machine). */
  cpu?: Record<string, number>;
}

export interface ScaleResult {
  tenants: number;
  /** The 2 web + 3 workers burst, once per profile. */
  bursts: ScaleBurst[];
  /** The 1 → 3 workers sweep. */
  sweep: ScaleBurst[];
  sweepProfile: TemporalProfile;
  /** Profiles that could not be measured, with why. */
  skipped: Record<string, string>;
  integrityOk: boolean;
}

export interface ScaleOptions {
  base: Record<string, string | undefined>;
  webDir: string;
  dataDir: string;
  exports: number;
  sweepExports: number;
  profiles: TemporalProfile[];
  limits: Record<string, string>;
  verbose: boolean;
  log: (line: string) => void;
}

export async function runScale(opts: ScaleOptions): Promise<ScaleResult> {
  const result: ScaleResult = { tenants: 3, bursts: [], sweep: [], sweepProfile: opts.profiles[0]!, skipped: {}, integrityOk: true };
  await buildWorker(opts.base);
  for (const [i, profile] of opts.profiles.entries()) {
    const bed = await startBed(opts, profile).catch((error: unknown) => {
      result.skipped[profile] = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      opts.log(`scale: no ${profile} stack: ${result.skipped[profile]}`);
      return undefined;
    });
    if (!bed) continue;
    try {
      opts.log(`scale: ${profile}: ${opts.exports} exports through 2 web instances and 3 workers`);
      result.bursts.push(await measureBurst(bed, opts.exports, 'web'));
      if (i === 0 || result.sweep.length === 0) {
        result.sweepProfile = profile;
        // Down to one worker, then one more per step.
        for (const w of bed.workers.splice(1)) await w.stop();
        for (let n = 1; n <= 3; n++) {
          if (n > 1) bed.workers.push(await bed.startWorker());
          opts.log(`scale: ${profile}: ${opts.sweepExports} exports with ${n} worker${n > 1 ? 's' : ''}`);
          result.sweep.push(await measureBurst(bed, opts.sweepExports, 'direct'));
        }
      }
    } finally {
      await bed.stop();
    }
  }
  result.integrityOk = [...result.bursts, ...result.sweep].every((b) => b.failed.length === 0);
  return result;
}

interface Bed {
  profile: TemporalProfile;
  stack: Stack;
  dataDir: string;
  data: ScaleData;
  env: SharedEnv;
  ctx: BurstContext;
  webs: Background[];
  workers: Background[];
  sessions: Map<string, ApiSession[]>;
  startWorker(): Promise<Background>;
  stop(): Promise<void>;
}

/** A fresh stack of `profile` with the scale tenants, 2 web instances and 3 workers. */
async function startBed(opts: ScaleOptions, profile: TemporalProfile): Promise<Bed> {
  // Fresh every run: the tenants are seeded anew, and each profile starts from empty.
  const dataDir = path.join(opts.dataDir, `scale-${profile}`);
  await rm(dataDir, { recursive: true, force: true });
  const log = (line: string) => opts.log(`[${profile} stack] ${line}`);
  // Free ports are picked, then bound: on a shared machine another process can take one in between; one more try then.
  const start = async () => startStack({ dataDir, ports: await findFreeStackPorts(), env: opts.base, log, temporal: profile });
  const stack = await start().catch((error: unknown) => {
    if (!(error instanceof Error && /is not available on 127\.0\.0\.1/.test(error.message))) throw error;
    log(`${error.message}; trying other ports`);
    return start();
  });
  const closers: (() => Promise<unknown>)[] = [() => rm(dataDir, { recursive: true, force: true }), () => stack.stop()];
  const stop = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  };
  try {
    const env = { ...opts.base, ...stack.env, ...opts.limits } as Record<string, string>;
    log(await prepareDatabase(env.DATABASE_URL!, { seedDemo: false }));
    const db = createDb(env.DATABASE_URL!, 8);
    closers.push(() => db.destroy());
    const data = await seedScaleData(db, { tenants: 3, usersPerTenant: 100 });
    const shared = parseEnv(sharedEnvSchema, env);
    const s3 = createWorkerS3Client(shared);
    closers.push(async () => s3.destroy());
    const connection = await connectTemporal(shared);
    closers.push(() => connection.close());
    const ctx: BurstContext = { env: shared, db, s3, temporal: new Client({ connection, namespace: shared.TEMPORAL_NAMESPACE }) };

    const secret = randomSecret();
    const ports = [await findFreePort(), await findFreePort()];
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const webs = await Promise.all(
      ports.map((port, i) =>
        startWeb(opts.webDir, dataDir, { ...env, NEXTAUTH_SECRET: secret, NEXTAUTH_URL: urls[i]!, APP_URL: urls[i]! }, port, opts.verbose),
      ),
    );
    closers.push(async () => Promise.all(webs.map((w) => w.stop())));
    // Mails about ended exports link to the app: the first instance stands for the load balancer's address.
    const startWorker = () => startBuiltWorker({ ...env, APP_URL: urls[0]! }, dataDir, opts.verbose);
    const workers: Background[] = [];
    closers.push(async () => Promise.all(workers.map((w) => w.stop())));
    for (let i = 0; i < 3; i++) workers.push(await startWorker());
    const sessions = new Map<string, ApiSession[]>();
    for (const tenant of data.tenants) {
      const first = await ApiSession.signIn(urls[0]!, tenant.adminEmail, data.password);
      sessions.set(tenant.tenantId, [first, first.at(urls[1]!)]);
    }
    return { profile, stack, dataDir, data, env: shared, ctx, webs, workers, sessions, startWorker, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * `web`: through the web instances, as users request exports. `direct`: the export row and
 * workflow start as the service makes them, from here, so the figure is the workers' and
 * Temporal's and not the web's admission (one tenant lock per insert); with CPU shares.
 */
async function measureBurst(bed: Bed, exports: number, via: 'web' | 'direct'): Promise<ScaleBurst> {
  // Spread over the tenants: user i of each tenant in turn.
  const byTenant = bed.data.tenants.map((t) => bed.data.users.filter((u) => u.tenantId === t.tenantId));
  const users = byTenant[0]!.flatMap((_, i) => byTenant.map((list) => list[i]!)).slice(0, exports);
  await ageCompletedExports(
    bed.ctx.db,
    users.map((u) => u.userId),
  );
  const span = via === 'direct' ? processCpuSpan(await processTrees(bed)) : undefined;
  const machine = cpuSpan();
  const admins = new Map(bed.data.tenants.map((t) => [t.tenantId, t.adminId]));
  let retried = 0;
  const send = (user: ScaleUser, i: number): Promise<BurstAnswer> =>
    via === 'direct'
      ? startDirect(bed, user, admins.get(user.tenantId)!)
      : retryUnavailable((attempt) => bed.sessions.get(user.tenantId)![(i + attempt) % 2]!.requestExport(user.userId), {
          tries: 4,
          onRetry: () => retried++,
        });
  const since = new Date(Date.now() - 1_000);
  const started = performance.now();
  const posted = await postBurst(users, send, { concurrency: scaleClients });
  await waitForBurst(bed.ctx.db, acceptedIds(posted), 10 * 60_000);
  const wallMs = performance.now() - started;
  const cpu = span ? { ...span().shares, 'other work on the machine': machine().other } : undefined;
  const { checks, rows } = await checkBurst(bed.ctx, { posted, since });
  const completed = rows.filter((r) => r.status === 'completed').length;
  return {
    profile: bed.profile,
    exports,
    workers: bed.workers.length,
    via,
    wallMs: round(wallMs),
    postMs: summarize(posted.map((p) => p.ms)),
    exportsPerSec: round(completed / (wallMs / 1000), 2),
    retried,
    failed: failedChecks(checks),
    ...(cpu ? { cpu } : {}),
  };
}

/** An export row and its workflow, as requestExport makes them (bench-context.ts productExport does the same). */
async function startDirect(bed: Bed, user: ScaleUser, adminId: string): Promise<BurstAnswer> {
  const exportId = randomUUID();
  const workflowId = `user-export-${exportId}`;
  const scope = { tenantId: user.tenantId, environmentId: user.environmentId };
  await createQueuedExport(bed.ctx.db, {
    id: exportId,
    scope,
    userId: user.userId,
    requestedBy: adminId,
    workflowId,
    options: { format: 'csv', from: null, to: null },
  });
  const input: UserExportInput = { exportId, userId: user.userId, ...scope, format: 'csv' };
  await startRegisteredWorkflow(bed.ctx.temporal, 'UserExportWorkflow', {
    workflowId,
    args: [input],
    env: bed.env,
    searchAttributes: exportStartSearchAttributes(input),
  });
  return { status: 202, export: { id: exportId } };
}

/** Every process of the bed by name: the web instances, the workers and the stack's services (from its pid record). */
async function processTrees(bed: Bed): Promise<Record<string, number>> {
  const trees: Record<string, number> = Object.fromEntries([
    ...bed.webs.map((w, i) => [`web-${i + 1}`, w.pid]),
    ...bed.workers.map((w, i) => [`worker-${i + 1}`, w.pid]),
  ]);
  const ours = new Set(Object.values(trees));
  const record = JSON.parse(await readFile(path.join(bed.dataDir, 'stack.pids.json'), 'utf8')) as { entries: { name: string; pid: number }[] };
  for (const entry of record.entries) if (!ours.has(entry.pid)) trees[entry.name] = entry.pid;
  return trees;
}

const profileName = (p: TemporalProfile) => (p === 'server' ? 'real Temporal server' : 'Temporal dev server');

/** The section's markdown: the bursts side by side, then the sweep with every process's CPU share. */
export function renderScale(s: ScaleResult): string[] {
  const out = ['### Scale-out (2 web instances, 3 workers)', ''];
  out.push(
    `Each burst: exports of users with 3–7 events over ${s.tenants} tenants, ${scaleClients} requests in flight, request i through web instance i % 2; then the load section's loss and duplication checks.`,
    '',
  );
  out.push(
    '| Temporal | exports | workers | wall time | exports/s | POST p50 / p95 | 503s retried | lost, duplicated or wrong |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const b of s.bursts)
    out.push(
      `| ${profileName(b.profile)} | ${b.exports} | ${b.workers} | ${formatMs(b.wallMs)} | ${b.exportsPerSec} | ${formatMs(b.postMs.median)} / ${formatMs(b.postMs.p95)} | ${b.retried} | ${b.failed.length ? `**${b.failed.join('; ')}**` : 'none'} |`,
    );
  for (const [profile, why] of Object.entries(s.skipped))
    out.push(`| ${profileName(profile as TemporalProfile)} | – | – | not measured | – | – | – | ${why} |`);
  out.push('');
  if (s.sweep.length) {
    // The product's processes first, then the stack's, then everything else on the machine.
    const rank = (n: string) => (n.startsWith('web-') ? 0 : n.startsWith('worker-') ? 1 : n.startsWith('other') ? 3 : 2);
    const names = [...new Set(s.sweep.flatMap((b) => Object.keys(b.cpu ?? {})))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    out.push(
      `Workers 1 → 3 on the ${profileName(s.sweepProfile)}: each burst's rows and workflows started directly (${scaleClients} at a time), so the web's admission does not cap it; share of all cores per process over the burst:`,
      '',
    );
    out.push(
      `| workers | exports | wall time | exports/s | start p50 / p95 | lost, duplicated or wrong | ${names.join(' | ')} |`,
      `|---:|---:|---:|---:|---:|---|${names.map(() => '---:').join('|')}|`,
    );
    for (const b of s.sweep)
      out.push(
        `| ${b.workers} | ${b.exports} | ${formatMs(b.wallMs)} | ${b.exportsPerSec} | ${formatMs(b.postMs.median)} / ${formatMs(b.postMs.p95)} | ${b.failed.length ? `**${b.failed.join('; ')}**` : 'none'} | ${names.map((n) => (b.cpu?.[n] === undefined ? '–' : `${(b.cpu[n] * 100).toFixed(0)}%`)).join(' | ')} |`,
      );
    out.push('');
  }
  return out;
}
