import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../lib/db/web-db';
import { sharedEnv } from '../../lib/env';
import { requestExport } from '../../lib/exports/export.service';
import type { Actor, Scope } from '../../lib/scope';
import { resetTemporalClient } from '../../lib/temporal/client';

/**
 * Once Temporal accepted an export's start, the request answers with that export: a 503
 * must leave nothing behind, so nothing after the start may fail the request. Seen in the
 * bench's 200-export burst: the answer was read back from the database after the start,
 * queued behind the whole burst for a pooled connection, and timed out into a 503 for an
 * export that then ran. The Temporal stand-in here takes every connection of the web pool
 * as it accepts the start, and gives them back once the request has answered.
 */
const db = getDb();
const temporalCache = globalThis as typeof globalThis & { __exportConsoleTemporal?: Promise<Client> };
const origin = { clientAddress: '203.0.113.12', userAgent: 'ExportRequestAnswerIntTest/1.0' };

let scope: Scope;
let admin: Actor;
let userId: string;
let releasePool: () => void = () => {};

/** Takes every connection of the web pool, holding them until `releasePool()`. */
async function exhaustPool(): Promise<void> {
  const released = new Promise<void>((resolve) => {
    releasePool = resolve;
  });
  let taken = 0;
  const allTaken = new Promise<void>((resolve) => {
    for (let i = 0; i < sharedEnv().DATABASE_POOL_SIZE; i++) {
      void db.connection().execute(async () => {
        if (++taken === sharedEnv().DATABASE_POOL_SIZE) resolve();
        await released;
      });
    }
  });
  await allTaken;
}

beforeAll(async () => {
  const row = await db
    .selectFrom('admins as a')
    .innerJoin('environments as e', 'e.tenant_id', 'a.tenant_id')
    .innerJoin('tenants as t', 't.id', 'a.tenant_id')
    .innerJoin('users as u', (j) => j.onRef('u.environment_id', '=', 'e.id'))
    .select(['a.id', 'a.tenant_id', 'e.id as environment_id', 'u.id as user_id'])
    // The seeded tenant: other files' fixture tenants (exports in flight) can sort first.
    .where('t.slug', '=', 'acme')
    .where('a.role', '=', 'admin')
    .where('e.slug', '=', 'production')
    .orderBy('a.email')
    .orderBy('u.email')
    .executeTakeFirstOrThrow();
  scope = { tenantId: row.tenant_id, environmentId: row.environment_id };
  admin = { id: row.id, origin };
  userId = row.user_id;
  const client = {
    connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(), close: async () => {} },
    workflow: { start: exhaustPool },
  };
  temporalCache.__exportConsoleTemporal = Promise.resolve(client as unknown as Client);
  await db.deleteFrom('exports').where('user_id', '=', userId).execute();
});

afterAll(async () => {
  releasePool();
  await db.deleteFrom('exports').where('user_id', '=', userId).execute();
  temporalCache.__exportConsoleTemporal = undefined;
  resetTemporalClient();
  await db.destroy();
});

describe('the answer to an export request', () => {
  it('is the started export even when no database connection is free after the start', async () => {
    const answer = await requestExport(scope, admin, userId).finally(() => releasePool());
    expect(answer).toMatchObject({ created: true, export: { userId, status: 'queued' } });
    const rows = await db.selectFrom('exports').select(['id', 'status']).where('user_id', '=', userId).execute();
    expect(rows).toEqual([{ id: answer.export.id, status: 'queued' }]);
  });
});
