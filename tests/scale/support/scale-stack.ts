import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreeStackPorts, startStack, type TemporalProfile } from '../../../scripts/stack/index';

/**
 * The stack under the scale-out suite, private to it: Postgres, S3, Mailpit and Temporal of
 * the given profile (`server`: the real server on the stack's Postgres; `dev`: start-dev),
 * with Temporal restartable mid-run on the same ports and data.
 */
export interface ScaleStack {
  profile: TemporalProfile;
  env: Record<string, string>;
  restartTemporal(): Promise<void>;
  close(): Promise<void>;
}

/** Services named by the environment (the test run's own stack) would be used instead of started. */
const serviceVariables = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'S3_ENDPOINT', 'S3_PUBLIC_ENDPOINT', 'SMTP_URL', 'MAIL_FROM'];

export async function startScaleStack(profile: TemporalProfile): Promise<ScaleStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'export-console-scale-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !serviceVariables.includes(k)));
  const stack = await startStack({ dataDir, ports: await findFreeStackPorts(), env, temporal: profile, durable: false, log: () => {} }).catch(
    async (error: unknown) => {
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    },
  );
  return {
    profile,
    env: stack.env,
    async restartTemporal() {
      await stack.temporal!.stop();
      await stack.temporal!.start();
    },
    async close() {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
