import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { createPool, dbFromPool } from '../../lib/db/client';
import { demoPassword } from '../../lib/db/demo-data';
import { parseEnv, sharedEnvSchema } from '../../lib/env';
import { createWorkerS3Client } from '../../lib/storage/s3';
import { connectTemporal } from '../../lib/temporal/connection';
import { appEnv, prepareDatabase, randomSecret } from '../lib/app-env';
import { findFreePort, findFreeStackPorts, startStack, type Stack } from '../stack/index';
import type { BenchContext } from './bench-context';
import { runLatency } from './latency';
import { runBulk } from './bulk';
import { runLoad } from './load';
import { machineInfo } from './machine';
import { writeReports, type BenchResults } from './report';
import { evaluateTargets } from './targets';
import { RssSampler, treeMemory } from './rss-sampler';
import { seedBenchData } from './seed-bench-data';
import { seedUsersEnvironment } from './seed-users-env';
import { runUsersList } from './users-list';
import { bundleWorkflows, prepareWeb, startPrebundledWorker, startWeb, startWorker, workerScript, type Background } from './services';
import { cpuSpan, waitForQuiet, type CpuShare } from './cpu-monitor';
import { parseBenchOptions } from './options';
import { compactCount } from './stats';
import { runScale } from './scale';
import { runThroughput } from './throughput';
import { runTuning } from './experiments/tune-pipeline';

/**
 * `npm run bench [-- options]` (options.ts lists them): throughput, latency and load
 * against same-run baselines, on a stack of its own (Postgres, Temporal, S3 on free ports).
 * Data lives in a persistent bench data dir so the 1M-event user is seeded once; method
 * and findings in docs/benchmarks.md.
 */
const opts = parseBenchOptions(process.argv.slice(2));
if (opts.reportFrom) {
  const earlier = JSON.parse(await readFile(opts.reportFrom, 'utf8')) as BenchResults;
  await writeReports(earlier, { toDocs: opts.args.includes('--docs'), log: console.log });
  process.exit(0);
}

const t0 = Date.now();
const startedAt = new Date().toISOString();
const log = (line: string) => console.log(`[bench +${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);

// The bench always runs its own services: a developer's DATABASE_URL is never written to.
const base = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !['DATABASE_URL', 'TEMPORAL_ADDRESS', 'S3_ENDPOINT', 'S3_PUBLIC_ENDPOINT'].includes(k)),
);
// Persistent by default (keyed by uid so users do not share it), so the large users are
// seeded once. Under os.tmpdir() because as root Postgres runs as `postgres`, which
// cannot enter ~/ (0700).
const dataDir = opts.fresh
  ? await mkdtemp(path.join(os.tmpdir(), 'export-console-bench-'))
  : (process.env.BENCH_DATA_DIR ?? path.join(os.tmpdir(), `export-console-bench-data-${process.getuid?.() ?? 'user'}`));

let stack: Stack | undefined;
let worker: Background | undefined;
let web: Background | undefined;
const closers: (() => Promise<unknown>)[] = [];

let stopping = false;
async function cleanUp(): Promise<void> {
  stopping = true;
  for (const close of closers.reverse()) await close().catch(() => {});
  await web?.stop();
  await worker?.stop();
  await stack?.stop();
  if (opts.fresh) await rm(dataDir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the bench stack…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

let exitCode = 0;
try {
  log(`${opts.quick ? 'quick' : 'full'} run: ${[...opts.only].join(', ')}; sizes ${opts.sizes.map(compactCount).join(', ')}; data in ${dataDir}`);
  const ports = await findFreeStackPorts();
  stack = await startStack({ dataDir, ports, env: base, log: (line) => log(`[stack] ${line}`) });
  const appPort = await findFreePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const serviceEnv = { ...base, ...stack.env, APP_URL: appUrl, ...opts.limits };
  const workerEnv = { ...serviceEnv, ...(opts.workerNodeOptions ? { NODE_OPTIONS: opts.workerNodeOptions } : {}) };
  const webEnv = { ...serviceEnv, ...appEnv(base, appUrl), NEXTAUTH_URL: appUrl, NEXTAUTH_SECRET: randomSecret() };
  const env = parseEnv(sharedEnvSchema, serviceEnv);

  const needWeb = opts.only.has('latency') || opts.only.has('load') || opts.only.has('users') || opts.only.has('scale');
  // Built in parallel with seeding; quick runs reuse the bench's build when the sources are unchanged.
  const build = needWeb ? prepareWeb(dataDir, webEnv, { reuse: opts.quick && !opts.rebuild, log }) : Promise.resolve(undefined);
  build.catch(() => {});

  log(`[db] ${await prepareDatabase(env.DATABASE_URL, { seedDemo: stack.embedded.postgres })}`);
  const pool = createPool(env.DATABASE_URL, 8);
  const db = dbFromPool(pool);
  closers.push(() => db.destroy());
  const data = await seedBenchData(db, {
    sizes: opts.only.has('throughput') || opts.only.has('tuning') ? opts.sizes : [],
    loadUsers: opts.only.has('load') ? opts.loadExports : 0,
    log: (l) => log(`[seed] ${l}`),
  });
  // 10M events: seeded once per data dir, and only when the section that reads them runs.
  const usersEnv = opts.only.has('users') ? await seedUsersEnvironment(db, data.tenants.bench.tenantId, (l) => log(`[seed] ${l}`)) : undefined;
  const machine = await machineInfo(db, base);
  log(
    `machine: ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}, ${machine.postgres}, Temporal CLI ${machine.temporalCli}, versitygw ${machine.versitygw}; load average ${machine.loadAverageAtStart.join(' ')}`,
  );
  const webDir = await build;

  if (opts.worker === 'prebundled') {
    const bundle = path.join(dataDir, 'workflow-bundle.js');
    await bundleWorkflows(serviceEnv, bundle, log);
    worker = await startPrebundledWorker({ ...workerEnv, ...opts.workerExtraEnv, BENCH_WORKFLOW_BUNDLE: bundle }, dataDir, opts.verbose);
  } else {
    worker = await startWorker(workerEnv, dataDir, opts.verbose, opts.workerExtraEnv, opts.workerCommand);
  }
  // A worker that dies mid-run would leave the bench waiting on workflow results forever.
  const started = worker;
  void started.exited.then(() => {
    if (stopping) return;
    console.error(`worker exited unexpectedly; stopping\n--- worker output (tail) ---\n${started.tail()}`);
    process.kill(process.pid, 'SIGTERM');
  });
  // Settled start-up memory, before any export: what the worker costs doing nothing.
  await new Promise((r) => setTimeout(r, 2_000));
  const workerIdle = await treeMemory(worker.pid);
  log(`worker ready (pid ${worker.pid}, ${opts.worker}); idle RSS ${workerIdle.map((p) => `${(p.rssBytes / 1e6).toFixed(0)} MB`).join(' + ')}`);
  const sampler = new RssSampler(worker.pid);
  await sampler.start();
  closers.push(async () => sampler.stop());
  const s3 = createWorkerS3Client(env);
  closers.push(async () => s3.destroy());
  const connection = await connectTemporal(env);
  closers.push(() => connection.close());
  const ctx: BenchContext = {
    env,
    db,
    pool,
    s3,
    temporal: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }),
    data,
    sampler,
    workerPid: worker.pid,
    log,
  };

  const results: Omit<BenchResults, 'targets' | 'durationSec' | 'loadAverageAtEnd'> = {
    mode: opts.quick ? 'quick' : 'full',
    startedAt,
    args: opts.args,
    machine,
    worker: {
      variant: [
        opts.worker,
        ...(opts.workerCommand ? [`command: ${opts.workerCommand}`] : []),
        ...(opts.workerNodeOptions ? [`NODE_OPTIONS=${opts.workerNodeOptions}`] : []),
        ...Object.entries(opts.workerExtraEnv).map(([k, v]) => `${k}=${v}`),
      ].join(' '),
      command: opts.workerCommand ?? (await workerScript()),
      idleAfterStart: workerIdle,
    },
    cpu: {},
    config: {
      WORKER_MAX_CONCURRENT_ACTIVITIES: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
      WORKER_MAX_CONCURRENT_WORKFLOWS: env.WORKER_MAX_CONCURRENT_WORKFLOWS,
      EXPORT_RATE_PER_MINUTE: env.EXPORT_RATE_PER_MINUTE,
      EXPORT_MAX_CONCURRENT: env.EXPORT_MAX_CONCURRENT,
      BULK_EXPORT_CONCURRENCY: env.BULK_EXPORT_CONCURRENCY,
      BULK_EXPORT_BATCH_SIZE: env.BULK_EXPORT_BATCH_SIZE,
      ...opts.pipeline,
    },
  };

  const quiet = async () => {
    if (opts.waitIdle) await waitForQuiet(log, 10 * 60_000);
    return cpuSpan();
  };
  const cpuNote = (section: string, share: CpuShare) =>
    log(`${section}: bench used ${(share.bench * 100).toFixed(0)}% and other work ${(share.other * 100).toFixed(0)}% of all cores over ${share.seconds} s`);
  if (opts.only.has('throughput')) {
    const span = await quiet();
    log('throughput: baseline and product interleaved');
    results.throughput = await runThroughput(ctx, { reps: opts.reps });
    cpuNote('throughput', (results.cpu.throughput = span()));
  }
  if (opts.only.has('tuning')) {
    const span = await quiet();
    results.tuning = await runTuning(ctx, { reps: opts.tuningReps });
    cpuNote('tuning', (results.cpu.tuning = span()));
  }
  if (needWeb) {
    web = await startWeb(webDir!, dataDir, webEnv, appPort, opts.verbose, opts.webNodeFlags);
    log(`web app ready at ${appUrl}`);
  }
  if (opts.only.has('latency')) {
    const span = await quiet();
    log(`latency: ${opts.latencyRuns} direct and ${opts.latencyRuns} product exports, interleaved`);
    results.latency = await runLatency(ctx, { appUrl, runs: opts.latencyRuns, warmup: 3, password: demoPassword });
    cpuNote('latency', (results.cpu.latency = span()));
  }
  if (opts.only.has('load')) {
    const span = await quiet();
    results.load = await runLoad(ctx, { appUrl, webPid: web!.pid, password: demoPassword, timeoutMs: 10 * 60_000 });
    cpuNote('load', (results.cpu.load = span()));
    // Refusals are a missed target; a lost, duplicated or wrong export is a failure.
    if (!results.load.integrityOk) exitCode = 1;
  }
  if (opts.only.has('users') && usersEnv) {
    const span = await quiet();
    log(
      `users: ${opts.usersRequests} first pages and ${opts.usersRequests} searches of GET /api/users, ${usersEnv.totalEvents.toLocaleString('en')} events over ${usersEnv.users} users`,
    );
    results.users = await runUsersList(ctx, usersEnv, { appUrl, password: demoPassword, requests: opts.usersRequests, warmup: 5 });
    cpuNote('users', (results.cpu.users = span()));
  }
  if (opts.only.has('bulk')) {
    const span = await quiet();
    // The same concurrency for both: what one bulk export of the tenant runs at once.
    results.bulk = await runBulk(ctx, {
      users: opts.bulkUsers,
      eventsPerUser: opts.bulkEvents,
      concurrency: Math.min(env.BULK_EXPORT_CONCURRENCY, env.EXPORT_MAX_CONCURRENT),
      batchSize: env.BULK_EXPORT_BATCH_SIZE,
      largeUsers: opts.bulkLarge,
    });
    cpuNote('bulk', (results.cpu.bulk = span()));
    if (!results.bulk.bytesChecked) exitCode = 1;
  }
  if (opts.only.has('scale')) {
    const span = await quiet();
    results.scale = await runScale({
      base,
      webDir: webDir!,
      dataDir,
      exports: opts.scaleExports,
      sweepExports: opts.scaleSweepExports,
      profiles: opts.scaleProfiles,
      limits: opts.limits,
      verbose: opts.verbose,
      log,
    });
    cpuNote('scale', (results.cpu.scale = span()));
    if (!results.scale.integrityOk) exitCode = 1;
  }
  results.workerProcesses = await treeMemory(worker.pid);

  const final = { ...results, durationSec: (Date.now() - t0) / 1000, loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))) };
  const report: BenchResults = { ...final, targets: evaluateTargets(final) };
  await writeReports(report, { toDocs: opts.toDocs, log });
  console.log('');
  for (const t of report.targets) console.log(`  ${t.met === null ? 'n/a ' : t.met ? 'met ' : 'MISS'}  ${t.name}: ${t.measured} (goal ${t.goal})`);
} catch (error) {
  exitCode = 1;
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  if (worker) console.error(`--- worker output (tail) ---\n${worker.tail()}`);
  if (web) console.error(`--- web output (tail) ---\n${web.tail()}`);
} finally {
  await cleanUp();
}
log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(exitCode);
