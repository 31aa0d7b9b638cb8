import { sql } from 'kysely';
import { getDb } from '../db/web-db';
import { getTemporalClient, resetTemporalClient } from '../temporal/client';
import type { Readiness } from './health.contracts';

const checkTimeoutMs = 2_000;

function withinTimeout(check: () => Promise<unknown>): Promise<boolean> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), checkTimeoutMs).unref());
  return Promise.race([check(), timeout]).then(
    () => true,
    () => false,
  );
}

/**
 * Whether this web instance can serve: Postgres answers and Temporal answers. S3 is left
 * out on purpose: without it only downloads fail (and exports retry in the worker), so
 * taking every web instance out of the load balancer would turn a partial outage into a
 * full one. The worker's presence is left out for the same reason (exports just queue).
 */
export async function checkReadiness(): Promise<Readiness> {
  const [database, temporal] = await Promise.all([
    withinTimeout(() => sql`select 1`.execute(getDb())),
    withinTimeout(async () => {
      const client = await getTemporalClient();
      await client.connection.withDeadline(Date.now() + checkTimeoutMs, () => client.workflowService.getSystemInfo({}));
    }).then((answered) => {
      // A dead channel would otherwise be kept and wait out its reconnect backoff.
      if (!answered) resetTemporalClient();
      return answered;
    }),
  ]);
  return { status: database && temporal ? 'ready' : 'not_ready', checks: { database: { ok: database }, temporal: { ok: temporal } } };
}
