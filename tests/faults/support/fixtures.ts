import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { hashPassword } from '../../../lib/auth/password';
import type { Db } from '../../../lib/db/client';
import { insertGeneratedEvents } from '../../../lib/db/seed-events';

export interface FaultFixture {
  tenantId: string;
  environmentId: string;
  adminId: string;
  adminEmail: string;
  password: string;
  bigUserId: string;
  bigUserEvents: number;
  smallUserId: string;
}

/**
 * One tenant with an admin, a user big enough that an export runs for several seconds
 * (time to break something mid-way), and a small user.
 */
export async function seedFaultFixture(db: Db, bigUserEvents = 1_000_000): Promise<FaultFixture> {
  const password = 'fault-test-password';
  const tenant = await db
    .insertInto('tenants')
    .values({ slug: `faults-${randomUUID().slice(0, 8)}`, name: 'Faults Inc' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const environment = await db
    .insertInto('environments')
    .values({ tenant_id: tenant.id, slug: 'production', name: 'Production' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const adminEmail = `admin@${tenant.id.slice(0, 8)}.faults.test`;
  const admin = await db
    .insertInto('admins')
    .values({ tenant_id: tenant.id, email: adminEmail, name: 'Fault Admin', role: 'admin', password_hash: await hashPassword(password) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const users = await db
    .insertInto('users')
    .values([
      { tenant_id: tenant.id, environment_id: environment.id, email: 'big@faults.example', name: 'Big' },
      { tenant_id: tenant.id, environment_id: environment.id, email: 'small@faults.example', name: 'Small' },
    ])
    .returning(['id', 'email'])
    .execute();
  const big = users.find((u) => u.email.startsWith('big'))!;
  const small = users.find((u) => u.email.startsWith('small'))!;
  const scope = { tenantId: tenant.id, environmentId: environment.id };
  await insertGeneratedEvents(db, { ...scope, userId: big.id }, bigUserEvents, '2025-01-01T00:00:00Z');
  await insertGeneratedEvents(db, { ...scope, userId: small.id }, 20, '2025-01-01T00:00:00Z');
  await sql`analyze events`.execute(db);
  return { ...scope, adminId: admin.id, adminEmail, password, bigUserId: big.id, bigUserEvents, smallUserId: small.id };
}

/**
 * Queues an export row and starts its workflow, as POST /api/users/{id}/exports does.
 * `workflowUserId` other than the row's makes the export fail (its user is not found) and leaves the row as queued.
 */
export async function startExport(
  db: Db,
  client: import('@temporalio/client').Client,
  fixture: FaultFixture,
  userId: string,
  options: { taskQueue?: string; workflowUserId?: string } = {},
) {
  const exportId = randomUUID();
  const workflowId = `user-export-${exportId}`;
  await db
    .insertInto('exports')
    .values({
      id: exportId,
      tenant_id: fixture.tenantId,
      environment_id: fixture.environmentId,
      user_id: userId,
      requested_by: fixture.adminId,
      workflow_id: workflowId,
      status: 'queued',
    })
    .execute();
  const handle = await client.workflow.start('UserExportWorkflow', {
    taskQueue: options.taskQueue ?? 'user-export',
    workflowId,
    args: [{ exportId, userId: options.workflowUserId ?? userId, tenantId: fixture.tenantId, environmentId: fixture.environmentId }],
  });
  // Each attempt writes its own key under this prefix (export-file-name.ts).
  return { exportId, workflowId, handle, objectPrefix: `exports/${fixture.tenantId}/${fixture.environmentId}/${exportId}/` };
}

export function exportRow(db: Db, exportId: string) {
  return db.selectFrom('exports').selectAll().where('id', '=', exportId).executeTakeFirstOrThrow();
}
