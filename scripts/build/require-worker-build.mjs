// `npm run worker`'s pre-step (plain node, exits at once): without a build, one sentence
// instead of node's "Cannot find module" stack trace.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../../dist/worker/index.js', import.meta.url))) {
  console.error('There is no worker build in dist/worker/: run `npm run build` (or `npm run build:worker`) first.');
  process.exit(1);
}
