import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../lib/db/client';
import { migrateToLatest } from '../../lib/db/migrator';
import { parseEnv, sharedEnvSchema } from '../../lib/env';
import { createS3Client } from '../../lib/storage/s3';
import { ageCompletedExports } from '../../scripts/bench/age-exports';
import {
  acceptedIds,
  checkBurst,
  failedChecks,
  inBatches,
  postBurst,
  retryUnavailable,
  waitForBurst,
  type BurstContext,
} from '../../scripts/bench/burst-checks';
import { seedScaleData, type ScaleData, type ScaleUser } from '../../scripts/bench/seed-scale-data';
import type { TemporalProfile } from '../../scripts/stack/index';
import { startScaleStack, type ScaleStack } from './support/scale-stack';
import { startWebPair, webPairAddresses, type AlternatingSession, type WebPair } from './support/web-pair';
import { WorkerPool } from './support/worker-pool';

/**
 * Scale-out: two production web instances and three compiled workers on one stack, every
 * request alternating between the web instances. What must hold across processes: no
 * export lost or duplicated in a 300-export burst over three tenants; dedupe, the tenant
 * caps and the sign-in throttle, which live in Postgres, not in a process; and every export
 * ending exactly once through a worker's `kill -9` with a Temporal restart, and through a
 * rolling restart of the workers.
 */
const profile = (process.env.SCALE_TEMPORAL ?? 'server') as TemporalProfile;
if (profile !== 'server' && profile !== 'dev') throw new Error(`SCALE_TEMPORAL=${profile as string}: use server (the default) or dev`);
/** The first web pair's caps: small, so a burst of ten crosses them. */
const strict = { EXPORT_MAX_CONCURRENT: '4', EXPORT_RATE_PER_MINUTE: '8' };
/** Then raised, so the bursts measure loss and duplication, not refusals. */
const open = { EXPORT_MAX_CONCURRENT: '1000', EXPORT_RATE_PER_MINUTE: '1000' };
const burstTimeoutMs = 8 * 60_000;
/**
 * Requests in flight at once, half on each instance, within each instance's 10-connection
 * pool: a crowd of clients, not one opening hundreds of connections (which the pool's
 * caps answer with 503s and a retry hint, as they should; docs/benchmarks.md).
 */
const clients = 16;

let stack: ScaleStack;
let db: Db;
let s3: S3Client;
let temporal: Client;
let data: ScaleData;
let caps: ScaleData;
let web: WebPair | undefined;
let pool: WorkerPool | undefined;
let ctx: BurstContext;

beforeAll(async () => {
  stack = await startScaleStack(profile);
  db = createDb(stack.env.DATABASE_URL!, 8);
  await migrateToLatest(db);
  data = await seedScaleData(db, { tenants: 3, usersPerTenant: 100 });
  caps = await seedScaleData(db, { tenants: 3, usersPerTenant: 10, prefix: 'caps' });
  s3 = createS3Client(parseEnv(sharedEnvSchema, stack.env));
  temporal = new Client({ connection: await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS! }), namespace: stack.env.TEMPORAL_NAMESPACE });
  ctx = { env: { S3_BUCKET: stack.env.S3_BUCKET! }, db, s3, temporal };
});

afterAll(async () => {
  await web?.stop();
  await pool?.stop();
  await temporal?.connection.close();
  s3?.destroy();
  await db?.destroy();
  await stack?.close();
});

const sessionsOf = async (tenants: ScaleData['tenants'], password: string) =>
  new Map(await Promise.all(tenants.map(async (t) => [t.tenantId, await web!.signIn(t.adminEmail, password)] as const)));

/**
 * Every user's export, `clients` requests at a time, request i through web instance i % 2.
 * A 503 (a busy database past its statement timeout; this machine is shared) is retried as
 * the API asks, through the other instance; the retries are logged.
 */
async function burst(users: ScaleUser[], sessions: Map<string, AlternatingSession>) {
  await ageCompletedExports(
    db,
    users.map((u) => u.userId),
  );
  const since = new Date(Date.now() - 1_000);
  let retries = 0;
  const posted = await postBurst(
    users,
    (user, i) =>
      retryUnavailable(
        (attempt) =>
          sessions
            .get(user.tenantId)!
            .at(i + attempt)
            .requestExport(user.userId),
        { tries: 4, onRetry: () => retries++ },
      ),
    { concurrency: clients },
  );
  if (retries > 0) console.log(`${retries} of ${users.length} requests answered 503 and were retried`);
  return { posted, since, ids: acceptedIds(posted), workflowTimeoutMs: burstTimeoutMs };
}

/** Every request of the burst answered 202 (a refusal is shown with its reason). */
function expectAllAccepted(b: Awaited<ReturnType<typeof burst>>): void {
  const refused = b.posted.filter((p) => p.answer.status !== 202).map((p) => `${p.answer.status} ${JSON.stringify(p.answer.error)}`);
  expect(refused).toEqual([]);
}

async function expectBurstIntact(b: Awaited<ReturnType<typeof burst>>): Promise<void> {
  await waitForBurst(db, b.ids, burstTimeoutMs);
  const { checks } = await checkBurst(ctx, b);
  expect(failedChecks(checks)).toEqual([]);
  expect(b.ids).toHaveLength(b.posted.length);
}

/** Status history of each export: queued → running → completed once, in time order, one workflow run completed once. */
async function expectEndedExactlyOnce(ids: string[]): Promise<void> {
  const rows = await db.selectFrom('exports').selectAll().where('id', 'in', ids).execute();
  const insane = rows.filter(
    (r) =>
      r.status !== 'completed' || !r.started_at || !r.completed_at || r.started_at < r.created_at || r.completed_at < r.started_at || r.error_summary !== null,
  );
  expect(insane.map((r) => [r.id, r.status, r.error_summary])).toEqual([]);
  const audit = await db
    .selectFrom('audit_log')
    .select(['export_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('export_id', 'in', ids)
    .where('action', '=', 'export.requested')
    .groupBy('export_id')
    .execute();
  expect(audit.filter((a) => Number(a.n) !== 1)).toEqual([]);
  expect(audit).toHaveLength(ids.length);
  const badHistories: string[] = [];
  await inBatches(ids, 10, async (id) => {
    const history = await temporal.workflow.getHandle(`user-export-${id}`).fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType);
    // WorkflowExecutionStarted = 1, Completed = 2; one run, started once and completed once.
    if (types.filter((t) => t === 1).length !== 1 || types.filter((t) => t === 2).length !== 1 || types.at(-1) !== 2) badHistories.push(id);
  });
  expect(badHistories).toEqual([]);
}

describe(`scale-out on the ${profile === 'server' ? 'real Temporal server' : 'Temporal dev server'}: 2 web instances, 3 workers`, () => {
  describe('state shared through Postgres holds across the web instances (strict caps, no worker yet)', () => {
    let sessions: Map<string, AlternatingSession>;
    beforeAll(async () => {
      const addresses = await webPairAddresses();
      web = await startWebPair({ ...stack.env, APP_URL: addresses.urls[0], ...strict }, addresses);
      sessions = await sessionsOf(caps.tenants, caps.password);
    });
    afterAll(async () => {
      await web?.stop();
      web = undefined;
    });

    it('dedupe: the same request through both instances at once is one export, one row, one workflow', async () => {
      const [tenant] = caps.tenants;
      const user = caps.users.find((u) => u.tenantId === tenant!.tenantId)!;
      const session = sessions.get(tenant!.tenantId)!;
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => session.at(i).requestExport(user.userId)));
      const ids = new Set(answers.map((a) => a.export?.id));
      expect(ids.size).toBe(1);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 202]);
      const rows = await db.selectFrom('exports').select(['id', 'workflow_id']).where('user_id', '=', user.userId).execute();
      expect(rows).toHaveLength(1);
      expect((await temporal.workflow.getHandle(rows[0]!.workflow_id).describe()).workflowId).toBe(rows[0]!.workflow_id);
    });

    it('Idempotency-Key: replays on either instance return the export the key made; the key for another user is a 409', async () => {
      const tenant = caps.tenants[0]!;
      const [, user, other] = caps.users.filter((u) => u.tenantId === tenant.tenantId);
      const session = sessions.get(tenant.tenantId)!;
      const key = randomUUID();
      const post = (i: number, userId: string) =>
        session
          .at(i)
          .request('POST', `/api/users/${userId}/exports`, { headers: { 'idempotency-key': key } })
          .then(async (r) => ({ status: r.status, body: (await r.json()) as { export?: { id: string } } }));
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => post(i, user!.userId)));
      expect(new Set(answers.map((a) => a.body.export?.id)).size).toBe(1);
      expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
      expect(await db.selectFrom('exports').select('id').where('user_id', '=', user!.userId).execute()).toHaveLength(1);
      expect((await post(1, other!.userId)).status).toBe(409);
      expect((await post(0, other!.userId)).status).toBe(409);
    });

    it('the in-flight cap: ten requests across both instances start exactly EXPORT_MAX_CONCURRENT exports', async () => {
      const tenant = caps.tenants[1]!;
      const users = caps.users.filter((u) => u.tenantId === tenant.tenantId);
      const session = sessions.get(tenant.tenantId)!;
      const answers = await Promise.all(users.map((u, i) => session.at(i).requestExport(u.userId)));
      expect(answers.filter((a) => a.status === 202)).toHaveLength(Number(strict.EXPORT_MAX_CONCURRENT));
      const refused = answers.filter((a) => a.status !== 202);
      expect(refused.map((a) => a.status)).toEqual(refused.map(() => 429));
      expect(refused.map((a) => JSON.stringify(a.error))).toEqual(refused.map(() => expect.stringContaining('queued or running')));
      const rows = await db.selectFrom('exports').select('id').where('tenant_id', '=', tenant.tenantId).execute();
      expect(rows).toHaveLength(Number(strict.EXPORT_MAX_CONCURRENT));
    });

    it('the per-minute cap: with five started this minute, ten requests across both instances start exactly three', async () => {
      const tenant = caps.tenants[2]!;
      const users = caps.users.filter((u) => u.tenantId === tenant.tenantId);
      // Five exports of this tenant ended a moment ago: they count against the minute, not in flight.
      await db
        .insertInto('exports')
        .values(
          users.slice(0, 5).map((u) => ({
            tenant_id: tenant.tenantId,
            environment_id: tenant.environmentId,
            user_id: u.userId,
            requested_by: tenant.adminId,
            workflow_id: `user-export-earlier-${randomUUID()}`,
            status: 'completed' as const,
            created_at: new Date(Date.now() - 30_000),
          })),
        )
        .execute();
      const session = sessions.get(tenant.tenantId)!;
      const fresh = users.slice(5).concat(users.slice(0, 5));
      const answers = await Promise.all(fresh.map((u, i) => session.at(i).requestExport(u.userId)));
      const allowed = Number(strict.EXPORT_RATE_PER_MINUTE) - 5;
      expect(answers.filter((a) => a.status === 202)).toHaveLength(allowed);
      const refused = answers.filter((a) => a.status !== 202);
      expect(refused.map((a) => a.status)).toEqual(refused.map(() => 429));
      expect(refused.map((a) => JSON.stringify(a.error))).toEqual(refused.map(() => expect.stringContaining('in the last minute')));
    });

    it('the sign-in throttle: failures split between the instances are counted together; the sixth is a 429 on either', async () => {
      const email = caps.tenants[0]!.adminEmail;
      const attempt = async (i: number, password: string) => {
        const url = web!.urls[i % 2]!;
        const csrf = await fetch(`${url}/api/auth/csrf`);
        const cookie = csrf.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; ');
        const { csrfToken } = (await csrf.json()) as { csrfToken: string };
        const response = await fetch(`${url}/api/auth/callback/credentials`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: url },
          body: new URLSearchParams({ email, password, csrfToken, json: 'true' }),
        });
        await response.body?.cancel();
        return response.status;
      };
      const failures: number[] = [];
      for (let i = 0; i < 5; i++) failures.push(await attempt(i, 'not-the-password'));
      expect(failures.filter((s) => s === 429)).toEqual([]);
      // The pair is blocked now, on both instances, even with the right password.
      expect([await attempt(5, 'not-the-password'), await attempt(6, caps.password), await attempt(7, caps.password)]).toEqual([429, 429, 429]);
    });
  });

  describe('bursts through both web instances onto three workers', () => {
    let sessions: Map<string, AlternatingSession>;
    beforeAll(async () => {
      // Mails about ended exports link to the app: the first instance stands for the load balancer's address.
      const addresses = await webPairAddresses();
      const appEnv = { ...stack.env, APP_URL: addresses.urls[0] };
      [web, pool] = await Promise.all([startWebPair({ ...appEnv, ...open }, addresses), WorkerPool.start(appEnv, 3)]);
      sessions = await sessionsOf(data.tenants, data.password);
    });

    it('300 exports across three tenants: none lost, none duplicated, every object checked', async () => {
      expect(new Set(data.users.map((u) => u.tenantId)).size).toBe(3);
      const b = await burst(data.users, sessions);
      expect(b.posted).toHaveLength(300);
      expectAllAccepted(b);
      await expectBurstIntact(b);
      await expectEndedExactlyOnce(b.ids);
    });

    it('kill -9 of a worker and a Temporal restart mid-burst: every export still ends exactly once', async () => {
      const users = data.users.filter((_, i) => i % 2 === 0);
      const b = await burst(users, sessions);
      expectAllAccepted(b);
      // Mid-run: every request answered, exports still queued or running.
      const inFlight = await db.selectFrom('exports').select('id').where('id', 'in', b.ids).where('status', 'in', ['queued', 'running']).execute();
      expect(inFlight.length).toBeGreaterThan(0);
      expect((await pool!.kill9(0)).signal).toBe('SIGKILL');
      await stack.restartTemporal();
      await pool!.replace(0);
      await expectBurstIntact(b);
      await expectEndedExactlyOnce(b.ids);
    });

    it('a rolling restart of the workers (SIGTERM one at a time) during a burst loses nothing', async () => {
      const users = data.users.filter((_, i) => i % 2 === 1);
      // A third of the burst is requested right before each SIGTERM, so every worker leaves with exports in flight.
      const waves: Promise<Awaited<ReturnType<typeof burst>>>[] = [];
      const exits = await pool!.rollingRestart(
        (i) =>
          void waves.push(
            burst(
              users.filter((_, j) => j % 3 === i),
              sessions,
            ),
          ),
      );
      expect(exits).toEqual([0, 1, 2].map(() => expect.objectContaining({ code: 0, signal: null })));
      const done = await Promise.all(waves);
      const b = { posted: done.flatMap((w) => w.posted), ids: done.flatMap((w) => w.ids), since: done[0]!.since, workflowTimeoutMs: burstTimeoutMs };
      expectAllAccepted(b);
      await expectBurstIntact(b);
      await expectEndedExactlyOnce(b.ids);
    });
  });
});
