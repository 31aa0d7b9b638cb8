import { randomUUID } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sql } from 'kysely';
import type { Db } from '../../lib/db/client';
import type { UserExportInput } from '../../lib/exports/export.contracts';

/** A seeded user with at least `minEvents` events, and an admin of the same tenant. */
export async function pickSeededUser(db: Db, minEvents: number, maxEvents = 2_000_000_000) {
  const { rows } = await sql<{ id: string; tenant_id: string; environment_id: string; email: string; events: number; admin_id: string }>`
    select u.id, u.tenant_id, u.environment_id, u.email, c.events,
      (select a.id from admins a where a.tenant_id = u.tenant_id and a.role = 'admin' limit 1) as admin_id
    from users u
    cross join lateral (select count(*)::int as events from events e
      where e.tenant_id = u.tenant_id and e.environment_id = u.environment_id and e.user_id = u.id) c
    where c.events between ${minEvents} and ${maxEvents}
    order by c.events, u.email limit 1`.execute(db);
  const user = rows[0];
  if (!user) throw new Error(`no seeded user with ${minEvents}..${maxEvents} events`);
  return user;
}

/** Inserts a queued export row for `user`, as the API would. */
export async function insertQueuedExport(db: Db, user: Awaited<ReturnType<typeof pickSeededUser>>): Promise<UserExportInput> {
  const exportId = randomUUID();
  await db
    .insertInto('exports')
    .values({
      id: exportId,
      tenant_id: user.tenant_id,
      environment_id: user.environment_id,
      user_id: user.id,
      requested_by: user.admin_id,
      workflow_id: `user-export-${exportId}`,
      status: 'queued',
    })
    .execute();
  return { exportId, userId: user.id, tenantId: user.tenant_id, environmentId: user.environment_id };
}

export async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}
