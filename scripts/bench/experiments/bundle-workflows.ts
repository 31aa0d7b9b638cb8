import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { registrations } from '../../../worker/registration';

/**
 * Experiment support: bundles the worker's workflows ahead of time (what Temporal's
 * `production` sample does at build time), so a worker can start without webpack.
 * Usage: tsx scripts/bench/experiments/bundle-workflows.ts <out.js>
 */
const out = process.argv[2];
if (!out) throw new Error('usage: bundle-workflows.ts <out.js>');
if (registrations.length !== 1) throw new Error('one bundle per task queue: extend this script for several');
const { code } = await bundleWorkflowCode({
  workflowsPath: registrations[0]!.workflowsPath,
  logger: { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} },
});
await writeFile(out, code);
console.log(`bundled workflows: ${out} (${(code.length / 1e6).toFixed(1)} MB)`);
