import { randomBytes } from 'node:crypto';
import { createDb } from '../../lib/db/client';
import { migrateToLatest } from '../../lib/db/migrator';
import { seedDemoData } from '../../lib/db/seed';
import { devSecretPrefix } from '../../lib/env';

/** Variables that point the stack at services someone else runs. */
export const externalServiceVariables = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'S3_ENDPOINT'] as const;

export function externalServices(base: Record<string, string | undefined>): string[] {
  return externalServiceVariables.filter((name) => base[name]);
}

/**
 * Variables the web app needs beyond the stack's, with local defaults. The published dev
 * secret is used only when every service is embedded: with real data behind the app,
 * anyone who knows it could forge a session, so then NEXTAUTH_SECRET must be set.
 */
export function appEnv(base: Record<string, string | undefined>, appUrl: string): Record<string, string> {
  const external = externalServices(base);
  if (!base.NEXTAUTH_SECRET && external.length > 0) {
    throw new Error(
      `NEXTAUTH_SECRET is not set while ${external.join(', ')} name${external.length === 1 ? 's an external service' : ' external services'}. ` +
        'The development secret is public, so anyone could sign sessions for that data. ' +
        'Set NEXTAUTH_SECRET=$(openssl rand -base64 32) (README: "Using real services instead").',
    );
  }
  return {
    NEXTAUTH_URL: base.NEXTAUTH_URL ?? appUrl,
    // A fresh secret per run would sign everyone out on restart; the dev default is fixed
    // and loudly local, and production refuses it (lib/env.ts).
    NEXTAUTH_SECRET: base.NEXTAUTH_SECRET ?? `${devSecretPrefix}${'x'.repeat(32)}`,
  };
}

export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Applies migrations, and the demo seed when `seedDemo` (callers pass whether their stack
 * created this database: demo logins have a published password and never belong in a
 * database someone else runs). Returns a one-line summary.
 */
export async function prepareDatabase(databaseUrl: string, opts: { seedDemo: boolean }): Promise<string> {
  const db = createDb(databaseUrl, 2);
  try {
    const applied = await migrateToLatest(db);
    if (!opts.seedDemo) return `${applied.length} migration(s) applied; demo data not seeded (external database)`;
    const seeded = await seedDemoData(db);
    return `${applied.length} migration(s) applied, ${seeded.users} demo users present (${seeded.eventsInserted} new events)`;
  } finally {
    await db.destroy();
  }
}
