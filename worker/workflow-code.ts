import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskQueueKey } from '../lib/temporal/registry';
import type { QueueRegistration } from './registration';

/**
 * Where a worker gets its workflow code. Compiled (`npm run build`, run by `npm run worker`)
 * it loads the bundle made at build time: bundling with webpack at every start costs about
 * 200 MB and seconds. From TypeScript source (dev, tests) it bundles on start, so edits to
 * workflows need no build step.
 */
export type WorkflowCode = { workflowsPath: string } | { workflowBundle: { codePath: string } };

/** The bundle's file name in the build output; scripts/build/worker.ts writes it. */
export const workflowBundleFile = (queue: TaskQueueKey) => `workflows-${queue}.js`;

/** The build output directory when `moduleUrl` is compiled JS; undefined when it is TypeScript source. */
export function prebuiltBundleDir(moduleUrl: string): string | undefined {
  const file = fileURLToPath(moduleUrl);
  return file.endsWith('.ts') ? undefined : path.dirname(file);
}

export function workflowCode(registration: QueueRegistration, bundleDir: string | undefined): WorkflowCode {
  if (!bundleDir) return { workflowsPath: registration.workflowsPath };
  const codePath = path.join(bundleDir, workflowBundleFile(registration.queue));
  // A compiled worker never falls back to webpack: that would hide a broken build behind
  // a slow, memory-hungry start that needs the TypeScript sources.
  if (!existsSync(codePath)) throw new Error(`the workflow bundle ${codePath} is missing; run \`npm run build\``);
  return { workflowBundle: { codePath } };
}
