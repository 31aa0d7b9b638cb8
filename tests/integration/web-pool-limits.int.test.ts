import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { getDb } from '../../lib/db/web-db';

/**
 * The web pool's sessions carry a statement timeout and an idle-in-transaction timeout
 * (review M7), so one slow query cannot hold a connection of the small pool indefinitely.
 */
const db = getDb();

afterAll(async () => {
  await db.destroy();
});

describe('web pool session limits', () => {
  it('every web connection has the statement and idle-in-transaction timeouts', async () => {
    const { rows } = await sql<{ statement: string; idle: string }>`
      select current_setting('statement_timeout') as statement, current_setting('idle_in_transaction_session_timeout') as idle`.execute(db);
    expect(rows[0]).toEqual({ statement: '5s', idle: '15s' });
  });

  it('a query past the statement timeout is cancelled (57014), not left running', async () => {
    const started = Date.now();
    const error = await sql`select pg_sleep(7)`.execute(db).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('57014');
    expect(Date.now() - started).toBeLessThan(6_500);
  });
});
