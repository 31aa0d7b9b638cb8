import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { encode } from 'next-auth/jwt';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POST } from '../../app/api/users/[userId]/exports/route';
import { GET as getExportRoute } from '../../app/api/exports/[id]/route';
import { getDb } from '../../lib/db/web-db';
import type { ExportStatus } from '../../lib/db/schema';
import { webEnv } from '../../lib/env';
import type { ExportDto } from '../../lib/exports/export.contracts';
import { resetTemporalClient } from '../../lib/temporal/client';

/**
 * "Export again" through the real route handler (withRoute: session cookie, Origin, zod
 * body) and Postgres. Temporal is a stand-in that records starts: what is tested is which
 * export is created and linked, not that it runs.
 */
const db = getDb();
const temporalCache = globalThis as typeof globalThis & { __exportConsoleTemporal?: Promise<Client> };
const started: string[] = [];

interface Fixture {
  adminId: string;
  tenantId: string;
  environmentId: string;
  userId: string;
  otherUserId: string;
  cookie: string;
}
let acme: Fixture;
let globex: Fixture;

async function fixture(tenantSlug: string): Promise<Fixture> {
  const admin = await db
    .selectFrom('admins as a')
    .innerJoin('tenants as t', 't.id', 'a.tenant_id')
    .innerJoin('environments as e', (j) => j.onRef('e.tenant_id', '=', 'a.tenant_id').on('e.slug', '=', 'sandbox'))
    .select(['a.id', 'a.email', 'a.name', 'a.role', 'a.session_version', 't.id as tenant_id', 't.name as tenant_name', 'e.id as environment_id'])
    .where('t.slug', '=', tenantSlug)
    .where('a.role', '=', 'admin')
    .orderBy('a.email')
    .executeTakeFirstOrThrow();
  const users = await db.selectFrom('users').select('id').where('environment_id', '=', admin.environment_id).orderBy('email', 'desc').limit(2).execute();
  const token = await encode({
    secret: webEnv().NEXTAUTH_SECRET,
    token: {
      admin: {
        id: admin.id,
        email: admin.email,
        name: admin.name,
        role: admin.role,
        tenantId: admin.tenant_id,
        tenantName: admin.tenant_name,
        environmentId: admin.environment_id,
      },
      authTime: Math.floor(Date.now() / 1000),
      sessionVersion: admin.session_version,
    },
  });
  return {
    adminId: admin.id,
    tenantId: admin.tenant_id,
    environmentId: admin.environment_id,
    userId: users[0]!.id,
    otherUserId: users[1]!.id,
    cookie: `next-auth.session-token=${token}`,
  };
}

/** An ended export of `user` as the lifecycle leaves it (set up directly: no workflow ran). */
async function endedExport(f: Fixture, status: ExportStatus, userId = f.userId): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('exports')
    .values({
      id,
      tenant_id: f.tenantId,
      environment_id: f.environmentId,
      user_id: userId,
      requested_by: f.adminId,
      workflow_id: `user-export-${id}`,
      status,
      created_at: new Date(Date.now() - 60_000),
    })
    .execute();
  return id;
}

async function post(
  f: Fixture,
  userId: string,
  body?: string,
): Promise<{ status: number; body: { export?: ExportDto; error?: { code: string; message: string; hint: string } } }> {
  // A NextRequest, as Next hands route handlers: next-auth reads the cookie through it.
  const request = new NextRequest(`http://localhost/api/users/${userId}/exports`, {
    method: 'POST',
    headers: { cookie: f.cookie, 'content-type': 'application/json' },
    body,
  });
  const response = await POST(request, { params: Promise.resolve({ userId }) });
  return { status: response.status, body: await response.json() };
}

async function exportDto(f: Fixture, id: string): Promise<ExportDto> {
  const response = await getExportRoute(new NextRequest(`http://localhost/api/exports/${id}`, { headers: { cookie: f.cookie } }), {
    params: Promise.resolve({ id }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { export: ExportDto }).export;
}

beforeAll(async () => {
  [acme, globex] = [await fixture('acme'), await fixture('globex')];
  temporalCache.__exportConsoleTemporal = Promise.resolve({
    connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(), close: async () => {} },
    workflow: {
      start: async (_type: string, options: { workflowId: string }) => {
        started.push(options.workflowId);
      },
    },
  } as unknown as Client);
});

beforeEach(async () => {
  await db.deleteFrom('exports').where('user_id', 'in', [acme.userId, acme.otherUserId, globex.userId]).execute();
  started.length = 0;
});

afterAll(async () => {
  await db.deleteFrom('exports').where('user_id', 'in', [acme.userId, acme.otherUserId, globex.userId]).execute();
  temporalCache.__exportConsoleTemporal = undefined;
  resetTemporalClient();
  await db.destroy();
});

describe('POST /api/users/{userId}/exports with retryOf', () => {
  it.each(['failed', 'cancelled', 'expired'] as const)('exports a %s export again: 202, a new export linked both ways', async (status) => {
    const original = await endedExport(acme, status);
    const response = await post(acme, acme.userId, JSON.stringify({ retryOf: original }));
    expect(response.status).toBe(202);
    const again = response.body.export!;
    expect(again).toMatchObject({ userId: acme.userId, status: 'queued', retryOf: original, retriedBy: null });
    expect(again.id).not.toBe(original);
    expect(started).toEqual([`user-export-${again.id}`]);
    expect((await exportDto(acme, original)).retriedBy).toEqual({ id: again.id, createdAt: again.createdAt });
    const audit = await db
      .selectFrom('audit_log')
      .select('details')
      .where('export_id', '=', again.id)
      .where('action', '=', 'export.requested')
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ retryOf: original });
  });

  it('no body and {} keep the plain export (retryOf null)', async () => {
    const plain = await post(acme, acme.userId);
    expect(plain.status).toBe(202);
    expect(plain.body.export).toMatchObject({ retryOf: null, retriedBy: null });
    const empty = await post(acme, acme.otherUserId, '{}');
    expect(empty.status).toBe(202);
    expect(empty.body.export).toMatchObject({ userId: acme.otherUserId, retryOf: null });
  });

  it("refuses another tenant's export as if it did not exist (404), and an unknown id likewise", async () => {
    const theirs = await endedExport(globex, 'failed', globex.userId);
    for (const retryOf of [theirs, randomUUID()]) {
      const response = await post(acme, acme.userId, JSON.stringify({ retryOf }));
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({ code: 'not_found', hint: expect.any(String) });
      expect(JSON.stringify(response.body)).not.toContain(globex.tenantId);
    }
    expect(started).toEqual([]);
  });

  it('refuses an export of another user of the same environment (400)', async () => {
    const others = await endedExport(acme, 'failed', acme.otherUserId);
    const response = await post(acme, acme.userId, JSON.stringify({ retryOf: others }));
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'validation', message: expect.stringMatching(/another user/) });
    expect(started).toEqual([]);
  });

  it('refuses a completed export (409) and malformed bodies (400)', async () => {
    const completed = await endedExport(acme, 'completed');
    expect((await post(acme, acme.userId, JSON.stringify({ retryOf: completed }))).body.error).toMatchObject({ code: 'conflict' });
    for (const body of ['{"retryOf":""}', '{"retryOf":"nope"}', '{"retryOf":null}', '{"retryOf":"x","extra":1}', 'null', '[]']) {
      const response = await post(acme, acme.userId, body);
      expect(response.status, body).toBe(400);
    }
    expect(started).toEqual([]);
  });

  it('keeps dedupe: with an export of the user in flight, that one is returned (200) and nothing is linked', async () => {
    const original = await endedExport(acme, 'failed');
    const inFlight = await endedExport(acme, 'running');
    const response = await post(acme, acme.userId, JSON.stringify({ retryOf: original }));
    expect(response.status).toBe(200);
    expect(response.body.export).toMatchObject({ id: inFlight, retryOf: null });
    expect((await exportDto(acme, original)).retriedBy).toBeNull();
    expect(started).toEqual([]);
  });
});
