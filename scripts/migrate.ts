import { databaseEnv } from '../lib/env';
import { createDb } from '../lib/db/client';
import { migrateToLatest } from '../lib/db/migrator';

/** Entry point: `npm run db:migrate`. */
const db = createDb(databaseEnv().DATABASE_URL, 1);
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
} finally {
  await db.destroy();
}
