import { installTools } from './binaries';

/** `tsx scripts/stack/install-tools.ts`: builds or finds every tool in TOOLS (the Temporal CLI, the Temporal server and its schema tool, versitygw, mailpit) (CI cache warm-up). */
try {
  await installTools();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
