import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startStack, type Stack, type TemporalProfile } from './index';

/**
 * `tsx scripts/stack/cli.ts` (npm run stack): runs the local stack with data in <repo>/.data,
 * prints its environment, and stops everything on Ctrl-C / SIGTERM.
 * `--temporal=server` runs the real Temporal server instead of the dev server (as EMBEDDED_TEMPORAL=server does).
 */
const dataDir = fileURLToPath(new URL('../../.data', import.meta.url));
const startedAt = Date.now();
let stack: Stack | undefined;
let signalled = false;
let stopping: Promise<never> | undefined;

// Registered before starting so a signal during startup still ends in a clean stop.
// A terminal Ctrl-C reaches tsx and this process (and tsx relays it), so repeats are normal.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
    if (stack) void shutdown(stack);
    else console.log(`\n${signal}: stopping once startup finishes…`);
  });
}

function shutdown(running: Stack): Promise<never> {
  return (stopping ??= (async () => {
    console.log('\nstopping the local stack…');
    let code = 0;
    try {
      await running.stop();
      console.log('stopped');
    } catch (err) {
      console.error(err instanceof Error ? err.message : err);
      code = 1;
    }
    process.exit(code);
  })());
}

try {
  const { values } = parseArgs({ options: { temporal: { type: 'string' } } });
  stack = await startStack({ dataDir, temporal: values.temporal as TemporalProfile | undefined, log: (line) => console.log(`[stack] ${line}`) });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

console.log(`\nlocal stack ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s; environment:\n`);
for (const [key, value] of Object.entries(stack.env)) console.log(`${key}=${value}`);
console.log('');
if (stack.urls.temporalUi) console.log(`Temporal UI: ${stack.urls.temporalUi}`);
if (stack.temporalProfile === 'server') console.log(`Temporal:    the real server at ${stack.env.TEMPORAL_ADDRESS} (no Web UI)`);
if (stack.urls.s3) console.log(`S3:          ${stack.urls.s3}`);
if (stack.urls.mailpitUi) console.log(`Mailpit UI:  ${stack.urls.mailpitUi}`);
console.log('\nCtrl-C to stop.');
if (signalled) void shutdown(stack);
