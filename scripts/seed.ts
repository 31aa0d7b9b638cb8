import { databaseEnv } from '../lib/env';
import { createDb } from '../lib/db/client';
import { seedDemoData } from '../lib/db/seed';
import { demoPassword } from '../lib/db/demo-data';

/**
 * Entry point: `npm run db:seed -- --demo` (run db:migrate first). The flag is required
 * because the demo data includes admin logins with a published password: writing them is
 * a deliberate choice, never a side effect of pointing DATABASE_URL somewhere.
 */
if (!process.argv.includes('--demo')) {
  console.error(
    'db:seed writes demo tenants and admin logins whose password ("' +
      demoPassword +
      '") is published.\n' +
      'Run `npm run db:seed -- --demo` only against a database for demos or development.\n' +
      '(`npm run dev` seeds its embedded database by itself.) Existing rows are never changed.',
  );
  process.exit(2);
}
const db = createDb(databaseEnv().DATABASE_URL, 1);
try {
  const summary = await seedDemoData(db);
  console.log(`seeded ${summary.tenants} tenants, ${summary.users} demo users present, ${summary.eventsInserted} new events`);
} finally {
  await db.destroy();
}
