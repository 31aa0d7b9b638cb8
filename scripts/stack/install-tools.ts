import { installTools } from './binaries';

/** `tsx scripts/stack/install-tools.ts`: builds or finds temporal, versitygw and mailpit (CI cache warm-up). */
try {
  await installTools();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
