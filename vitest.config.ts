import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = fileURLToPath(new URL('.', import.meta.url));

// Integration files that bring up processes of their own (a private stack, Temporal server or
// checkout copy) or work in a scratch database: they touch no row, workflow or object of the
// shared test stack, so scripts/test.ts runs them beside the shared-stack files. They mostly
// wait on process start-ups.
const ownStackFiles = ['temporal-tls', 'temporal-server-profile', 'stack-start', 'worker-beside-stack', 'migrations', 'seed'].map(
  (name) => `tests/integration/${name}.int.test.ts`,
);

/**
 * Starts the files known to take minutes first, within their project. Where files run side by
 * side (faults: three at a time), a long file started last makes the suite as long as two files.
 * Vitest orders by the durations it cached on earlier runs, but a fresh clone (CI) has none and
 * falls back to file size, which started the slowest fault file fourth of five.
 */
const slowFirst = ['tests/faults/storage-gone-faults.fault.test.ts', 'tests/faults/dependency-faults.fault.test.ts'];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const i = slowFirst.findIndex((suffix) => file.moduleId.endsWith(`/${suffix}`));
      return i === -1 ? slowFirst.length : i;
    };
    // The base order keeps projects apart; only files of one project change places.
    const projectOrder = new Map<string, number>();
    for (const file of sorted) if (!projectOrder.has(file.project.name)) projectOrder.set(file.project.name, projectOrder.size);
    return sorted
      .map((file, index) => ({ file, index }))
      .sort((a, b) => projectOrder.get(a.file.project.name)! - projectOrder.get(b.file.project.name)! || rank(a.file) - rank(b.file) || a.index - b.index)
      .map(({ file }) => file);
  }
}

// Unit tests need nothing running; integration tests expect the stack that
// scripts/test.ts starts (its addresses arrive through the environment).
export default defineConfig({
  resolve: { alias: { '@': root } },
  test: {
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/*.unit.test.ts'], exclude: ['node_modules/**', '.next/**'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', '.next/**', ...ownStackFiles],
          // Real services: Temporal worker start-up bundles workflows, which takes seconds.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One at a time: the files share the stack's database and Temporal (the reconciler
          // sweeps every row in flight, whoever wrote it).
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-own-stack',
          include: ownStackFiles,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One at a time among themselves (each starts several processes), beside the shared-stack files.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.fault.test.ts'],
          // Each file runs a private stack and breaks parts of it on purpose; faults wait
          // on real timeouts (heartbeat 30 s, retries), hence the long limits. The files run
          // side by side (scripts/test.ts passes --maxWorkers): they mostly wait on those timeouts.
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'scale',
          include: ['tests/scale/**/*.scale.test.ts'],
          // Two web instances and three workers on a private stack; bursts of hundreds of
          // exports wait on real heartbeat timeouts after a kill -9, hence the long limits.
          testTimeout: 900_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
