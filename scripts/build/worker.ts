import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { build } from 'esbuild';
import { registrations } from '../../worker/registration';
import { workflowInterceptorModules } from '../../worker/tracing';
import { workflowBundleFile } from '../../worker/workflow-code';

/**
 * `npm run build` (after `next build`): the worker as plain JS in dist/worker/, so
 * production runs it with `node` (no tsx loader, ~50 MB), and each queue's workflow code
 * pre-bundled beside it (no webpack at start, ~200 MB). Dependencies stay in node_modules:
 * the Temporal core bridge is a native addon and cannot be bundled.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'dist', 'worker');

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });

const started = Date.now();
await build({
  entryPoints: [path.join(root, 'worker', 'index.ts')],
  outfile: path.join(outDir, 'index.js'),
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});

for (const registration of registrations) {
  const { code } = await bundleWorkflowCode({ workflowsPath: registration.workflowsPath, workflowInterceptorModules, logger: new DefaultLogger('WARN') });
  await writeFile(path.join(outDir, workflowBundleFile(registration.queue)), code);
}
console.log(`worker built into ${path.relative(root, outDir)}/ in ${((Date.now() - started) / 1000).toFixed(1)}s`);
