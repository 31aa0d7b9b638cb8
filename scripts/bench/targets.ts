import type { BenchResults } from './report';
import { compactCount, formatMs } from './stats';

/**
 * The targets each run is judged by: SPEC §9 as tightened by issue 10, evaluated from the
 * run's own figures (throughput targets at 1M, the 10M one against the same run's 1M).
 * Benchmarks report; nothing here fails a build.
 */

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

/** The original SPEC §9 limits, still in force, are the `spec*` ones (shown in brackets in the goals). */
export const targetLimits = {
  ratio: 0.95,
  specRatio: 0.8,
  productOverRaw: 1.3,
  /** Issue 12: the jsonl format at ≥ 0.8 × csv's throughput. */
  jsonlOverCsv: 0.8,
  peakRssMB: 250,
  specPeakRssMB: 300,
  overheadP50Ms: 150,
  postP95Ms: 1000,
  usersP95Ms: 100,
  tenMillionTimeFactor: 11,
  /** "RSS flat": the 10M export's peak within 10 % of the 1M export's, same run. */
  flatRssFactor: 1.1,
  /** Issue 12: a bulk export within 1.5 × the same users' single exports at the same concurrency. */
  bulkOverSingles: 1.5,
};

const range = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

export function evaluateTargets(r: Omit<BenchResults, 'targets'>): Target[] {
  const targets: Target[] = [];
  if (r.throughput?.length) {
    // Throughput targets are set at 1M; a run without 1M reports its largest size, unmarked.
    const oneM = r.throughput.find((s) => s.events === 1_000_000);
    const ref = oneM ?? r.throughput.filter((s) => s.events < 10_000_000).at(-1) ?? r.throughput.at(-1)!;
    const at = compactCount(ref.events);
    targets.push({
      name: `Throughput ratio at ${at} events (product rows/s ÷ baseline rows/s)`,
      goal: `≥ ${targetLimits.ratio} at 1M (SPEC §9 first: ≥ ${targetLimits.specRatio})`,
      measured: `${ref.ratio.toFixed(2)} (pairs ${range(ref.pairRatios)})`,
      met: oneM ? ref.ratio >= targetLimits.ratio : null,
    });
    targets.push({
      name: `Product time ÷ raw-COPY time at ${at} events`,
      goal: `≤ ${targetLimits.productOverRaw} at 1M`,
      measured: `${ref.productOverRaw.toFixed(2)} (rounds ${range(ref.productOverRawPerRound)}; product ${formatMs(ref.productMs.median)}, raw COPY ${formatMs(ref.rawMs.median)})`,
      met: oneM ? ref.productOverRaw <= targetLimits.productOverRaw : null,
    });
    if (ref.jsonlMs) {
      targets.push({
        name: `jsonl ÷ csv throughput at ${at} events (product rows/s, same rounds)`,
        goal: `≥ ${targetLimits.jsonlOverCsv} at 1M`,
        measured: `${ref.jsonlOverCsv.toFixed(2)} (rounds ${range(ref.jsonlOverCsvPerRound)}; csv ${formatMs(ref.productMs.median)}, jsonl ${formatMs(ref.jsonlMs.median)})`,
        met: oneM ? ref.jsonlOverCsv >= targetLimits.jsonlOverCsv : null,
      });
    }
    const refPeak = Math.max(...ref.peakRssTreeMB);
    const peak = Math.max(...r.throughput.flatMap((s) => s.peakRssTreeMB));
    targets.push({
      name: `Worker peak RSS, whole process tree, ${at}-event export`,
      goal: `< ${targetLimits.peakRssMB} MB at 1M (SPEC §9 first: < ${targetLimits.specPeakRssMB} MB at every size)`,
      measured: `${refPeak.toFixed(0)} MB at ${at}; ${peak.toFixed(0)} MB at most over ${r.throughput.map((x) => compactCount(x.events)).join(', ')}`,
      met: oneM ? refPeak < targetLimits.peakRssMB && peak < targetLimits.specPeakRssMB : null,
    });
    const tenM = r.throughput.find((s) => s.events >= 10_000_000);
    if (tenM && oneM) {
      const factor = tenM.productMs.median / oneM.productMs.median;
      const tenPeak = Math.max(...tenM.peakRssTreeMB);
      targets.push({
        name: `${compactCount(tenM.events)}-event export`,
        goal: `completes, RSS flat, time ≤ ${targetLimits.tenMillionTimeFactor} × the 1M time`,
        measured: `completed ${tenM.reps}/${tenM.reps}, ${formatMs(tenM.productMs.median)} = ${factor.toFixed(1)} × the 1M time (${formatMs(oneM.productMs.median)}); peak RSS ${tenPeak.toFixed(0)} MB against ${refPeak.toFixed(0)} MB at 1M`,
        met: factor <= targetLimits.tenMillionTimeFactor && tenPeak <= refPeak * targetLimits.flatRssFactor,
      });
    }
  }
  if (r.latency) {
    targets.push({
      name: 'Small-export overhead over direct, p50',
      goal: `< ${targetLimits.overheadP50Ms} ms`,
      measured: `${r.latency.overheadP50Ms.toFixed(0)} ms (product p50 ${r.latency.product.median.toFixed(0)} ms, direct p50 ${r.latency.direct.median.toFixed(0)} ms)`,
      met: r.latency.overheadP50Ms < targetLimits.overheadP50Ms,
    });
  }
  if (r.scale) {
    const server = r.scale.bursts.find((b) => b.profile === 'server');
    const dev = r.scale.bursts.find((b) => b.profile === 'dev');
    targets.push({
      name: 'Scale-out: exports through 2 web + 3 workers on the real Temporal server',
      goal: 'all complete, 0 lost, 0 duplicated; wall time next to the dev server',
      measured: server
        ? `${server.exports} exports: ${server.failed.length ? server.failed.join('; ') : 'all complete, none lost or duplicated'}; ${formatMs(server.wallMs)} (dev server ${dev ? formatMs(dev.wallMs) : 'not run'})`
        : `not run: ${r.scale.skipped.server ?? 'profile not selected'}`,
      met: server ? server.failed.length === 0 : false,
    });
    if (r.scale.sweep.length)
      targets.push({
        name: `Scale-out: throughput of 1 → 3 workers (${r.scale.sweep[0]!.exports}-export bursts, ${r.scale.sweepProfile})`,
        goal: 'reported, with the CPU share per process',
        measured: r.scale.sweep.map((b) => `${b.workers}: ${b.exportsPerSec}/s`).join(', '),
        met: null,
      });
  }
  if (r.load) {
    targets.push({
      name: `Load: ${r.load.exports} exports at once`,
      goal: 'all complete, none lost or duplicated',
      measured: `${
        r.load.allOk
          ? 'all checks pass'
          : 'failed: ' +
            Object.entries(r.load.checks)
              .filter(([, c]) => !c.ok)
              .map(([n]) => n)
              .join(', ')
      }; ${formatMs(r.load.wallMs)} wall`,
      met: r.load.allOk,
    });
    targets.push({
      name: `POST …/exports answer time during the ${r.load.exports}-export burst, p95`,
      goal: `< ${formatMs(targetLimits.postP95Ms)}, still 0 lost / 0 duplicated`,
      measured: `p95 ${formatMs(r.load.postMs.p95)} (p50 ${formatMs(r.load.postMs.median)}, max ${formatMs(r.load.postMs.max)}); ${r.load.integrityOk ? 'none lost or duplicated' : 'LOST OR DUPLICATED exports'}`,
      met: r.load.postMs.p95 < targetLimits.postP95Ms && r.load.integrityOk,
    });
  }
  if (r.users) {
    const u = r.users;
    const worst = Math.max(u.firstPage.p95, u.search.p95);
    targets.push({
      name: `GET /api/users p95, environment with ${compactCount(u.environmentEvents)} events over ${u.users} users`,
      goal: `< ${targetLimits.usersP95Ms} ms`,
      measured: `first page p95 ${formatMs(u.firstPage.p95)}, search p95 ${formatMs(u.search.p95)}${u.countsOk ? '' : '; WRONG event counts'}`,
      met: worst < targetLimits.usersP95Ms && u.countsOk,
    });
  }
  if (r.bulk) {
    const b = r.bulk;
    targets.push({
      name: `Bulk export of ${b.users} users × ${compactCount(b.eventsPerUser)} events ÷ ${b.users} single exports (concurrency ${b.concurrency}, same run)`,
      goal: `≤ ${targetLimits.bulkOverSingles}, bytes checked`,
      measured: `${b.ratio.toFixed(2)} (bulk ${formatMs(b.bulkMs)}, singles ${formatMs(b.singlesMs)}); ${b.bytesChecked ? `${b.filesCompared} files equal to the single exports'` : 'FILES DIFFER'}`,
      met: b.ratio <= targetLimits.bulkOverSingles && b.bytesChecked,
    });
    targets.push({
      name: `Bulk export parent history, largest run, ${b.large ? b.large.users : b.users} users`,
      goal: 'bounded by continue-as-new (the batch), not by the number of users',
      measured: b.large
        ? `${b.large.historyEvents[0]} events (${b.large.runs} runs of ≤ ${b.batchSize} users); ${b.historyEvents[0]} at ${b.users} users`
        : `${b.historyEvents[0]} events (${b.runs} runs of ≤ ${b.batchSize} users)`,
      met: b.large
        ? b.large.runs >= Math.ceil(b.large.users / b.batchSize) && b.large.historyEvents[0]! <= b.historyEvents[0]! * 1.2
        : b.runs >= Math.ceil(b.users / b.batchSize),
    });
  }
  return targets;
}
