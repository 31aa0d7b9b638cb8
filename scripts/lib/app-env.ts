import { randomBytes } from 'node:crypto';
import { createDb } from '../../lib/db/client';
import { migrateToLatest } from '../../lib/db/migrator';
import { seedDemoData } from '../../lib/db/seed';
import { devSecretPrefix } from '../../lib/env';

/** Variables the web app needs beyond the stack's, with local defaults. */
export function appEnv(base: Record<string, string | undefined>, appUrl: string): Record<string, string> {
  return {
    NEXTAUTH_URL: base.NEXTAUTH_URL ?? appUrl,
    // A fresh secret per run would sign everyone out on restart; the dev default is fixed
    // and loudly local, and production must set its own (env validation requires it).
    NEXTAUTH_SECRET: base.NEXTAUTH_SECRET ?? `${devSecretPrefix}${'x'.repeat(32)}`,
  };
}

export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Applies migrations and the demo seed; returns a one-line summary. */
export async function prepareDatabase(databaseUrl: string): Promise<string> {
  const db = createDb(databaseUrl, 2);
  try {
    const applied = await migrateToLatest(db);
    const seeded = await seedDemoData(db);
    return `${applied.length} migration(s) applied, ${seeded.users} users seeded (${seeded.eventsInserted} new events)`;
  } finally {
    await db.destroy();
  }
}
