import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Unit tests need nothing running; integration tests expect the stack that
// scripts/test.ts starts (its addresses arrive through the environment).
export default defineConfig({
  resolve: { alias: { '@': root } },
  test: {
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
          exclude: ['node_modules/**', '.next/**'],
          // Real services: Temporal worker start-up bundles workflows, which takes seconds.
          testTimeout: 120_000,
          hookTimeout: 120_000,
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
