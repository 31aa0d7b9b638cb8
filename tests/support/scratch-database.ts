import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../lib/db/client';
import { sharedEnv } from '../../lib/env';

/** A new empty database on the test Postgres, dropped by `drop()`. */
export async function createScratchDatabase(): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const baseUrl = new URL(sharedEnv().DATABASE_URL);
  const name = `scratch_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), 2);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.destroy();
      const client = new pg.Client({ connectionString: baseUrl.toString() });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
