import { sharedEnv } from '../env';
import { createDb, type Db } from './client';

/**
 * Caps on the web pool's sessions (review M7): no request's query may hold one of its few
 * connections for more than 5 s (it answers 503 instead), and a transaction left idle (a
 * request that died mid-way) is ended after 15 s. The longest legitimate idle gap is a
 * cancel's 5 s Temporal deadline inside its transaction. The worker and scripts run long
 * COPY streams and migrations and have their own pools, without these caps.
 */
export const webSessionLimits = { statementTimeoutMs: 5_000, idleInTransactionTimeoutMs: 15_000 } as const;

// One pool per web process, kept across Next.js dev reloads.
const cache = globalThis as typeof globalThis & { __exportConsoleDb?: Db };

export function getDb(): Db {
  if (!cache.__exportConsoleDb) {
    const env = sharedEnv();
    cache.__exportConsoleDb = createDb(env.DATABASE_URL, env.DATABASE_POOL_SIZE, webSessionLimits);
  }
  return cache.__exportConsoleDb;
}
