import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, findFreeStackPorts, startStack } from './stack/index';
import { appEnv, prepareDatabase, randomSecret } from './lib/app-env';
import { startChild } from './lib/child-process';
import { bin, run } from './lib/run';
import { playwrightCounts, scriptCounts, sumCounts, vitestCounts, type SuiteCounts } from './lib/test-counts';

/**
 * `npm test`: every test, on a throwaway stack (Postgres, Temporal, S3, Mailpit on free ports, data
 * in a temp dir), torn down at the end. Suites: lint (npm run lint, lint:boundaries,
 * lint:dead, typecheck; one pass or fail each), unit, integration (vitest), e2e
 * (Playwright on the production build in Chromium), faults (vitest; private stacks broken
 * on purpose), scale (vitest; two web instances and three workers on a private stack with
 * the real Temporal server). `npm test -- --only=unit,e2e` runs a subset; further arguments are file
 * filters handed to vitest and Playwright (`npm test -- --only=e2e sessions`). Ends with one
 * line `N passed, N failed` summing every suite.
 */
const suites = new Set((process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? 'lint,unit,integration,e2e,faults,scale').split(','));

// Tests always get their own stack: a developer's DATABASE_URL must never be written to.
const base = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !['DATABASE_URL', 'TEMPORAL_ADDRESS', 'S3_ENDPOINT', 'S3_PUBLIC_ENDPOINT', 'SMTP_URL', 'MAIL_FROM'].includes(k)),
);

const fileFilters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const dataDir = await mkdtemp(join(tmpdir(), 'export-console-test-'));
const counts: SuiteCounts[] = [];
let stack: Awaited<ReturnType<typeof startStack>> | undefined;

async function cleanUp(): Promise<void> {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the test stack…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  // Static checks first: seconds, and they need no stack.
  if (suites.has('lint')) {
    counts.push(await scriptCounts('lint', ['lint', 'lint:boundaries', 'lint:dead', 'typecheck']));
  }
  if (suites.has('integration') || suites.has('e2e')) {
    const ports = await findFreeStackPorts();
    // Throwaway: Postgres without durability (a clean stop still writes everything).
    stack = await startStack({ dataDir, ports, env: base, durable: false, log: (line) => console.log(`[stack] ${line}`) });
    console.log(`[stack] ${await prepareDatabase(stack.env.DATABASE_URL!, { seedDemo: stack.embedded.postgres })}`);
  }
  const appPort = await findFreePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const env: Record<string, string | undefined> = {
    ...base,
    ...stack?.env,
    ...appEnv(base, appUrl),
    NEXTAUTH_SECRET: randomSecret(),
    APP_PORT: String(appPort),
    APP_URL: appUrl,
  };

  const vitestRun = async (project: 'unit' | 'integration' | 'integration-own-stack' | 'faults' | 'scale', extra: string[] = []) => {
    const report = join(dataDir, `vitest-${project}.json`);
    // Fault files each run a private stack and mostly wait on real timeouts: one worker per file.
    const workers = project === 'faults' ? ['--maxWorkers=3'] : [];
    await run(
      bin('vitest'),
      ['run', '--project', project, ...workers, ...extra, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...fileFilters],
      {
        env,
      },
    );
    return report;
  };
  const vitest = async (project: 'unit' | 'faults' | 'scale') => {
    counts.push(await vitestCounts(project, await vitestRun(project)));
  };
  if (suites.has('unit')) await vitest('unit');
  if (suites.has('integration')) {
    // The files with processes of their own run beside the shared-stack ones (both one file at
    // a time): they mostly wait. One suite in the summary; a file filter may match only one half.
    const halves = await Promise.all(
      (['integration', 'integration-own-stack'] as const).map(async (project) => vitestCounts('integration', await vitestRun(project, ['--passWithNoTests']))),
    );
    counts.push(sumCounts('integration', halves));
  }

  // The end-to-end, fault and scale suites run the production build: the web app and the compiled worker.
  const needsBuild = suites.has('e2e') || suites.has('faults') || suites.has('scale');
  const built =
    needsBuild &&
    (await run(bin('next'), ['build'], { env: { ...env, NEXT_TELEMETRY_DISABLED: '1' } })) === 0 &&
    (await run(bin('tsx'), ['scripts/build/worker.ts'], { env })) === 0;
  if (needsBuild && !built) counts.push({ suite: 'build', passed: 0, failed: 1, skipped: 0 });

  if (suites.has('e2e') && built) {
    const report = join(dataDir, 'playwright.json');
    // The export worker runs beside the app, compiled, as in production.
    const worker = await startChild({
      name: 'worker',
      command: process.execPath,
      args: ['--enable-source-maps', 'dist/worker/index.js'],
      env,
      ready: { line: /worker polling/ },
      readyTimeoutMs: 120_000,
      // Echoed, so a failure can be read in the log.
      onLine: (line) => process.stdout.write(`[worker] ${line}\n`),
      stopGraceMs: 30_000,
    });
    try {
      await run(bin('playwright'), ['test', '--reporter=list,json', ...fileFilters], { env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report } });
    } finally {
      await worker.stop();
    }
    counts.push(await playwrightCounts('e2e', report));
  }

  // Faults bring up private stacks of their own and break them on purpose.
  if (suites.has('faults') && built) await vitest('faults');
  // Scale-out: a private stack too, with the real Temporal server, web instances and workers of its own.
  if (suites.has('scale') && built) await vitest('scale');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  counts.push({ suite: 'setup', passed: 0, failed: 1, skipped: 0 });
} finally {
  await cleanUp();
}

for (const c of counts) console.log(`  ${c.suite}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
const passed = counts.reduce((n, c) => n + c.passed, 0);
const failed = counts.reduce((n, c) => n + c.failed, 0);
const skipped = counts.reduce((n, c) => n + c.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
