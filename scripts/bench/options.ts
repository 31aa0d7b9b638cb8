import { defaultPartSize, defaultQueueSize } from '../../lib/storage/multipart-upload';
import { zipCompressionLevel } from '../../lib/exports/archive/zip-archive';

/**
 * `npm run bench [-- options]`:
 *
 *   --quick            sizes 10k,100k (no 1M), 3 pairs; reuses the bench's web build if the sources are unchanged
 *   --only=a,b         throughput, latency, load, users, bulk, scale (default: all six); `tuning` runs the
 *                      runExport knobs against the baseline on the largest size (experiments/)
 *   --scale=N          exports of the scale section's 2 web + 3 workers burst (300), --scale-sweep=N
 *                      of its 1 → 3 workers bursts (200); --scale-profiles=server,dev (both, same run)
 *   --sizes=10k,1M     throughput sizes (10M too: run once, `--only=throughput --sizes=1M,10M --reps=2 --docs`)
 *   --reps=N           rounds per size (full 5, quick 3)
 *   --latency-runs=N   (default 50)             --load=N       exports in the burst (200)
 *   --users-requests=N GET /api/users requests of each kind (default 100; seeds 10M events once)
 *   --bulk-users=N     users of the bulk section (default 1000; quick 100), --bulk-events=N events each (1000)
 *   --bulk-large=N     then one bulk of N users (1 event each) alone, for its history (default 10000; quick 0)
 *   --fresh            throwaway data dir instead of the persistent one
 *   --docs / --no-docs write docs/benchmarks.md (default: full runs of the product as is)
 *   --rebuild          always run `next build`  --verbose      pass service output through
 *   --wait-idle        before each section, wait (≤ 10 min) until other work uses < 10% CPU
 *   --report-from=bench-results/<file>.json   only re-render an earlier run's report (into docs/ with --docs)
 * Experiments (never written to docs/ unless --docs):
 *   --worker=prebundled         the same worker with its workflows bundled beforehand
 *   --worker-node-options="…"   NODE_OPTIONS for the worker (e.g. V8 heap limits)
 *   --worker-env=K=V,K=V        more environment for the worker (e.g. MALLOC_ARENA_MAX=2)
 *   --worker-command="…"        start the build with this command line instead of package.json's
 *                               `worker` script (e.g. an earlier one, to compare)
 *   --web-node-flags="…"        node flags for the web app (`node <flags> server.mjs`), e.g.
 *                               "--cpu-prof --cpu-prof-dir=/tmp/prof" (not allowed in NODE_OPTIONS)
 */
export function parseBenchOptions(args: string[]) {
  const flag = (name: string) => args.includes(`--${name}`);
  const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const oneOf = <T extends string>(name: string, values: readonly T[]): T => {
    const value = (option(name) ?? values[0]) as T;
    if (!values.includes(value)) throw new Error(`--${name} must be one of ${values.join(', ')}`);
    return value;
  };
  const quick = flag('quick');
  const sections = ['throughput', 'latency', 'load', 'users', 'bulk', 'scale', 'tuning'] as const;
  const only = new Set((option('only') ?? 'throughput,latency,load,users,bulk,scale').split(','));
  for (const s of only) if (!(sections as readonly string[]).includes(s)) throw new Error(`--only takes ${sections.join(', ')}`);
  const worker = oneOf('worker', ['default', 'prebundled'] as const);
  const workerNodeOptions = option('worker-node-options');
  const workerExtraEnv = Object.fromEntries(
    (option('worker-env') ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const workerCommand = option('worker-command');
  const webNodeFlags = (option('web-node-flags') ?? '').split(/\s+/).filter(Boolean);
  const reps = option('reps');
  const productAsIs = worker === 'default' && !workerNodeOptions && !workerCommand && Object.keys(workerExtraEnv).length === 0 && webNodeFlags.length === 0;
  return {
    args,
    quick,
    verbose: flag('verbose'),
    waitIdle: flag('wait-idle'),
    fresh: flag('fresh'),
    rebuild: flag('rebuild'),
    only,
    sizes: (option('sizes') ?? (quick ? '10k,100k' : '10k,100k,1M'))
      .split(',')
      .map(parseSize)
      .sort((a, b) => a - b),
    reps: Number(reps ?? (quick ? 3 : 5)),
    tuningReps: Number(reps ?? 2),
    latencyRuns: Number(option('latency-runs') ?? 50),
    loadExports: Number(option('load') ?? 200),
    usersRequests: Number(option('users-requests') ?? 100),
    bulkUsers: Number(option('bulk-users') ?? (quick ? 100 : 1000)),
    bulkEvents: Number(option('bulk-events') ?? 1000),
    bulkLarge: Number(option('bulk-large') ?? (quick ? 0 : 10_000)),
    scaleExports: Number(option('scale') ?? 300),
    scaleSweepExports: Number(option('scale-sweep') ?? 200),
    scaleProfiles: (option('scale-profiles') ?? 'server,dev').split(',').map((p) => {
      if (p !== 'server' && p !== 'dev') throw new Error('--scale-profiles takes server, dev');
      return p;
    }),
    worker,
    workerNodeOptions,
    workerExtraEnv,
    workerCommand,
    webNodeFlags,
    /** Full runs of the product as is rewrite docs/benchmarks.md; anything else writes bench-results/. */
    toDocs: flag('docs') || (!quick && !flag('no-docs') && !option('only') && !option('sizes') && !reps && productAsIs),
    /** Raised so the latency and load runs are not refused by the per-tenant limits. */
    reportFrom: option('report-from'),
    limits: { EXPORT_RATE_PER_MINUTE: '100000', EXPORT_MAX_CONCURRENT: '1000' },
    pipeline: { partSize: `${defaultPartSize / 1024 / 1024} MiB`, queueSize: defaultQueueSize, compressionLevel: zipCompressionLevel },
  };
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) throw new Error(`bad size ${text}: use e.g. 10k, 100k, 1M`);
  const unit = m[2]?.toLowerCase();
  return Math.round(Number(m[1]) * (unit === 'k' ? 1e3 : unit === 'm' ? 1e6 : 1));
}
