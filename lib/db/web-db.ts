import { sharedEnv } from '../env';
import { createDb, type Db } from './client';

// One pool per web process, kept across Next.js dev reloads.
const cache = globalThis as typeof globalThis & { __exportConsoleDb?: Db };

export function getDb(): Db {
  if (!cache.__exportConsoleDb) {
    const env = sharedEnv();
    cache.__exportConsoleDb = createDb(env.DATABASE_URL, env.DATABASE_POOL_SIZE);
  }
  return cache.__exportConsoleDb;
}
