import { sql } from 'kysely';
import { getDb } from '../db/web-db';
import { getTemporalClient, resetTemporalClient } from '../temporal/client';
import type { Readiness } from './health.contracts';

const checkTimeoutMs = 2_000;

function withinTimeout(check: () => Promise<unknown>, timeoutMs = checkTimeoutMs): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
  });
  return Promise.race([check(), timeout])
    .then(
      () => true,
      () => false,
    )
    .finally(() => clearTimeout(timer));
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
    // The call's own deadline ends it before the outer timeout, so the client is never
    // closed (below) under a call still in flight: grpc-js throws that out of band.
    withinTimeout(async () => {
      const deadline = Date.now() + checkTimeoutMs;
      const client = await getTemporalClient();
      if (Date.now() >= deadline) throw new Error('timed out connecting');
      await client.connection.withDeadline(deadline, () => client.workflowService.getSystemInfo({}));
    }, checkTimeoutMs + 1_000).then((answered) => {
      // A dead channel would otherwise be kept and wait out its reconnect backoff.
      if (!answered) resetTemporalClient();
      return answered;
    }),
  ]);
  return { status: database && temporal ? 'ready' : 'not_ready' };
}
