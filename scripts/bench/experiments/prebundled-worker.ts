import { Worker } from '@temporalio/worker';

/**
 * Experiment only (`npm run bench -- --worker=prebundled`): the product's worker, exactly
 * worker/index.ts with every option of worker/create-workers.ts, except that each
 * Worker.create gets the workflow bundle built beforehand (BENCH_WORKFLOW_BUNDLE) instead
 * of bundling with webpack at start-up. Measures what that start-up bundling costs in
 * resident memory; the product itself is not changed by it.
 */
const codePath = process.env.BENCH_WORKFLOW_BUNDLE;
if (!codePath) throw new Error('BENCH_WORKFLOW_BUNDLE must name a bundle from bundle-workflows.ts');
const create = Worker.create.bind(Worker);
Worker.create = (options) => create({ ...options, workflowsPath: undefined, workflowBundle: { codePath } });
await import('../../../worker/index');
