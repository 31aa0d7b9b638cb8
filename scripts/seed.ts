import { databaseEnv } from '../lib/env';
import { createDb } from '../lib/db/client';
import { seedDemoData } from '../lib/db/seed';

/** Entry point: `npm run db:seed` (run db:migrate first). */
const db = createDb(databaseEnv().DATABASE_URL, 1);
try {
  const summary = await seedDemoData(db);
  console.log(`seeded ${summary.tenants} tenants, ${summary.users} users, ${summary.eventsInserted} new events`);
} finally {
  await db.destroy();
}
