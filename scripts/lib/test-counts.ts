import { readFile } from 'node:fs/promises';
import { run } from './run';

export interface SuiteCounts {
  suite: string;
  passed: number;
  failed: number;
  skipped: number;
}

/** Reads vitest's JSON report (jest-compatible fields). A missing report counts as one failure. */
export async function vitestCounts(suite: string, file: string): Promise<SuiteCounts> {
  try {
    const report = JSON.parse(await readFile(file, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests?: number;
      success: boolean;
      numTotalTestSuites: number;
      numFailedTestSuites: number;
    };
    // A file that fails to load has no tests but fails the suite: count it.
    const failed = report.numFailedTests + (report.numFailedTests === 0 && !report.success ? Math.max(1, report.numFailedTestSuites) : 0);
    return { suite, passed: report.numPassedTests, failed, skipped: report.numPendingTests + (report.numTodoTests ?? 0) };
  } catch {
    return { suite, passed: 0, failed: 1, skipped: 0 };
  }
}

/** Several runs counted as one suite. */
export function sumCounts(suite: string, parts: SuiteCounts[]): SuiteCounts {
  const total = (key: 'passed' | 'failed' | 'skipped') => parts.reduce((n, part) => n + part[key], 0);
  return { suite, passed: total('passed'), failed: total('failed'), skipped: total('skipped') };
}

/** Reads Playwright's JSON report. A missing report counts as one failure. */
export async function playwrightCounts(suite: string, file: string): Promise<SuiteCounts> {
  try {
    const report = JSON.parse(await readFile(file, 'utf8')) as {
      stats: { expected: number; unexpected: number; flaky: number; skipped: number };
      errors?: unknown[];
    };
    const { expected, unexpected, flaky, skipped } = report.stats;
    // A flaky pass is a failure here: retries must not hide flakiness.
    const failed = unexpected + flaky + (report.errors?.length && unexpected === 0 ? 1 : 0);
    return { suite, passed: expected, failed, skipped };
  } catch {
    return { suite, passed: 0, failed: 1, skipped: 0 };
  }
}

/**
 * Runs package.json scripts one after another (the machine has two cores), each passing when it
 * exits 0: one pass or one failure per script, so the summary says which check broke.
 */
export async function scriptCounts(suite: string, scripts: string[]): Promise<SuiteCounts> {
  const counts: SuiteCounts = { suite, passed: 0, failed: 0, skipped: 0 };
  for (const script of scripts) {
    console.log(`\n[${suite}] npm run ${script}`);
    const code = await run('npm', ['run', '--silent', script]).catch(() => 127);
    console.log(`[${suite}] ${script}: ${code === 0 ? 'passed' : `failed (exit ${code})`}`);
    if (code === 0) counts.passed++;
    else counts.failed++;
  }
  return counts;
}
