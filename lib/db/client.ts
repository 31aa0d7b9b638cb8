import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';

// int8 (counts, bytes) arrive as strings by default; our values stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export type Db = Kysely<Database>;

/** Per-session caps a pool may set on its connections (milliseconds; absent = none). */
export interface SessionLimits {
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
}

export function createPool(connectionString: string, max = 10, limits: SessionLimits = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    // Sent as startup parameters: every connection of the pool has them from its first query.
    ...(limits.statementTimeoutMs ? { statement_timeout: limits.statementTimeoutMs } : {}),
    ...(limits.idleInTransactionTimeoutMs ? { idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs } : {}),
    // Fail fast when Postgres is down so callers can answer 503 instead of hanging.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (Postgres restart) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

export function createDb(connectionString: string, max = 10, limits: SessionLimits = {}): Db {
  return dbFromPool(createPool(connectionString, max, limits));
}

/** Kysely over an existing pool, for code that also needs raw clients (COPY streams). */
export function dbFromPool(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
