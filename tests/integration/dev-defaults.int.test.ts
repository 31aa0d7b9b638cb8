import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../lib/db/migrator';
import { sharedEnv } from '../../lib/env';
import { connectTemporal } from '../../lib/temporal/connection';
import { descendantsOf, runToEnd, spawnChild, type Child } from '../../scripts/lib/child-process';
import { findFreePort } from '../../scripts/stack/index';
import { reconcileScheduleId, retentionScheduleId } from '../../worker/schedules';
import { checkoutRoot } from '../support/checkout-copy';
import { createScratchDatabase } from '../support/scratch-database';

/**
 * Dev defaults must not reach a real deployment (issue 9 §5). `npm run dev` used to seed
 * demo tenants and a published admin login into whatever DATABASE_URL named, and `next
 * dev` listened on every interface; `db:seed` wrote demo data without being asked twice.
 * Here both commands run as a developer would run them, against a database of their own.
 */
type Scratch = Awaited<ReturnType<typeof createScratchDatabase>>;
let seedDb: Scratch;
let devDb: Scratch;
let dev: Child | undefined;
// The dev worker polls a queue of its own, so it takes no other test's work.
const taskQueue = `dev-defaults-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  seedDb = await createScratchDatabase();
  devDb = await createScratchDatabase();
});
afterAll(async () => {
  if (dev && !dev.hasExited()) {
    const tree = descendantsOf(dev.pid!);
    dev.kill('SIGKILL');
    for (const pid of tree) process.kill(pid, 'SIGKILL');
  }
  // The dev worker creates its schedules at start; they belong to this test's queue only.
  const env = sharedEnv();
  const connection = await connectTemporal(env);
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  for (const id of [reconcileScheduleId({ TEMPORAL_TASK_QUEUE: taskQueue }), retentionScheduleId({ TEMPORAL_TASK_QUEUE: taskQueue })]) {
    await client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  }
  await connection.close();
  await seedDb?.drop();
  await devDb?.drop();
});

async function count(scratch: Scratch, table: 'tenants' | 'admins'): Promise<number> {
  const row = await scratch.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('demo data and the dev server against a database someone else runs', () => {
  it('npm run db:seed without --demo refuses and writes nothing', async () => {
    await migrateToLatest(seedDb.db);
    const env = { ...process.env, DATABASE_URL: seedDb.url };
    const refused = await runToEnd(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], { cwd: checkoutRoot, env });
    expect(refused.code, refused.output).toBe(2);
    expect(refused.output).toContain('npm run db:seed -- --demo');
    expect(await count(seedDb, 'tenants')).toBe(0);
    expect(await count(seedDb, 'admins')).toBe(0);
  });

  it('npm run dev with an external DATABASE_URL seeds nothing, and its web server listens on loopback only', async () => {
    const port = await findFreePort();
    const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: devDb.url, PORT: String(port), TEMPORAL_TASK_QUEUE: taskQueue };
    delete env.HOST;
    dev = spawnChild({ name: 'dev', command: process.execPath, args: ['--import', 'tsx', 'scripts/dev.ts'], cwd: checkoutRoot, env });
    const ready = /\[web\].*Ready on http:\/\/(\S+)/;
    // The demo seed, when it wrongly runs, takes a minute or more on a busy machine.
    await expect.poll(() => ready.test(dev!.output()) || dev!.hasExited(), { timeout: 240_000, interval: 500 }).toBe(true);
    const output = dev.output();
    expect(output.match(ready)?.[1], output).toBe(`127.0.0.1:${port}`);
    expect(output).toContain('demo data not seeded (external database)');
    expect(await count(devDb, 'tenants')).toBe(0);
    expect(await count(devDb, 'admins')).toBe(0);

    expect(await accepts('127.0.0.1', port)).toBe(true);
    // Every other address of this machine is refused (a machine with loopback only has none to try).
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const address of others) expect(await accepts(address, port), address).toBe(false);

    dev.kill('SIGINT');
    await dev.exited;
  }, 300_000);
});
