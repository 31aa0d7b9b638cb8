import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import pg from 'pg';
import { sharedEnv } from '../../lib/env';
import { exportDedupeWindowMs } from '../../lib/exports/export.service';
import { temporalConnectionOptions } from '../../lib/temporal/connection';

/**
 * Direct SQL for API specs: they set up rows the UI cannot make (another tenant's export,
 * a completed export with a real object) and check what a request did or did not write.
 */
export function connectDb(): Promise<pg.Client> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the specs through scripts/test.ts');
  const client = new pg.Client({ connectionString: url });
  return client.connect().then(() => client);
}

export interface TenantFixture {
  tenantId: string;
  production: string;
  sandbox: string;
  adminId: string;
}

/** A seeded tenant (lib/db/demo-data.ts): its environments and its admin. */
export async function seededTenant(db: pg.Client, slug: string, adminEmail: string): Promise<TenantFixture> {
  const { rows } = await db.query<{ tenant_id: string; production: string; sandbox: string; admin_id: string }>(
    `select t.id as tenant_id,
       (select id from environments where tenant_id = t.id and slug = 'production') as production,
       (select id from environments where tenant_id = t.id and slug = 'sandbox') as sandbox,
       (select id from admins where tenant_id = t.id and lower(email) = lower($2)) as admin_id
     from tenants t where t.slug = $1`,
    [slug, adminEmail],
  );
  const row = rows[0];
  if (!row?.production || !row.sandbox || !row.admin_id) throw new Error(`seeded tenant ${slug} with ${adminEmail} not found`);
  return { tenantId: row.tenant_id, production: row.production, sandbox: row.sandbox, adminId: row.admin_id };
}

export interface UserFixture {
  id: string;
  email: string;
  tenantId: string;
  environmentId: string;
}

/**
 * A user of one environment. `zeroEvents` picks one with no events (its exports finish in
 * moments); users with an export queued or running are skipped so a new request starts one.
 */
export async function pickUser(db: pg.Client, environmentId: string, options: { zeroEvents?: boolean; newestEmailFirst?: boolean } = {}): Promise<UserFixture> {
  const { rows } = await db.query<{ id: string; email: string; tenant_id: string; environment_id: string }>(
    `select u.id, u.email, u.tenant_id, u.environment_id from users u
     where u.environment_id = $1
       and ($2::boolean is not true or not exists (select 1 from events e where e.tenant_id = u.tenant_id and e.environment_id = u.environment_id and e.user_id = u.id))
       and not exists (select 1 from exports x where x.user_id = u.id and x.status in ('queued', 'running'))
     order by case when $3::boolean then u.email end desc, u.email
     limit 1`,
    [environmentId, options.zeroEvents ?? false, options.newestEmailFirst ?? false],
  );
  const row = rows[0];
  if (!row) throw new Error(`no suitable user in environment ${environmentId}`);
  return { id: row.id, email: row.email, tenantId: row.tenant_id, environmentId: row.environment_id };
}

/** Every email of a tenant (its users in every environment and its admins): must never leak. */
/**
 * Makes the next request for the user a new one: exports of the user that completed in the
 * last seconds (another spec may have exported the same user just before) are aged past the
 * dedupe window, which would otherwise (rightly) hand that export back with a 200.
 */
export async function ageRecentExports(db: pg.Client, userId: string): Promise<void> {
  await db.query(`update exports set created_at = created_at - make_interval(secs => $2) where user_id = $1 and status = 'completed'`, [
    userId,
    (exportDedupeWindowMs * 2) / 1000,
  ]);
}

export async function tenantEmails(db: pg.Client, tenantId: string, environmentId?: string): Promise<string[]> {
  const { rows } = await db.query<{ email: string }>(
    `select email from users where tenant_id = $1 and ($2::uuid is null or environment_id = $2)
     union select email from admins where tenant_id = $1 and $2::uuid is null`,
    [tenantId, environmentId ?? null],
  );
  return rows.map((r) => r.email);
}

export interface InsertedExport {
  id: string;
  /** Set on a running row: the placeholder workflow behind it. */
  workflowId?: string;
  objectKey: string | null;
  fileName: string | null;
  body: Buffer | null;
}

/**
 * Inserts an export row straight into the table. A completed one gets a real object in
 * the bucket, so a download would work if a route let the request through. created_at is
 * two hours back so the row never counts against a per-minute rate limit.
 */
export async function insertExport(
  db: pg.Client,
  s3: S3Client,
  bucket: string,
  row: { user: UserFixture; requestedBy: string; status: 'completed' | 'running' },
): Promise<InsertedExport> {
  const id = randomUUID();
  let objectKey: string | null = null;
  let fileName: string | null = null;
  let body: Buffer | null = null;
  if (row.status === 'completed') {
    objectKey = `exports/${row.user.tenantId}/${row.user.environmentId}/${id}.zip`;
    fileName = `isolation-${row.user.id}-20260101T000000Z.zip`;
    body = Buffer.from(`PK not really a zip, export ${id} of ${row.user.email}`);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: body, ContentType: 'application/zip' }));
  }
  await db.query(
    `insert into exports (id, tenant_id, environment_id, user_id, requested_by, status, workflow_id,
        rows_exported, rows_total, bytes, sha256, object_key, file_name, created_at, started_at, completed_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12,
        now() - interval '2 hours', now() - interval '2 hours',
        case when $6 = 'completed' then now() - interval '119 minutes' end,
        case when $6 = 'completed' then now() + interval '7 days' end)`,
    [
      id,
      row.user.tenantId,
      row.user.environmentId,
      row.user.id,
      row.requestedBy,
      row.status,
      `user-export-${id}`,
      row.status === 'completed' ? 3 : 1,
      body?.length ?? null,
      body ? 'f'.repeat(64) : null,
      objectKey,
      fileName,
    ],
  );
  // A running row needs a running workflow behind it, or the reconciler (every minute)
  // rightly fails it as "could not be started".
  if (row.status === 'running')
    await withTemporal((client) =>
      client.workflow.start('UserExportWorkflow', { taskQueue: `e2e-unpolled-${id}`, workflowId: `user-export-${id}`, args: [], workflowRunTimeout: '1 hour' }),
    );
  return { id, objectKey, fileName, body, workflowId: row.status === 'running' ? `user-export-${id}` : undefined };
}

async function withTemporal<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const env = sharedEnv();
  const connection = await Connection.connect(temporalConnectionOptions(env));
  try {
    return await fn(new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }));
  } finally {
    await connection.close();
  }
}

export async function deleteExports(db: pg.Client, s3: S3Client, bucket: string, rows: InsertedExport[]): Promise<void> {
  const ids = rows.map((r) => r.id);
  await db.query('delete from audit_log where export_id = any($1::uuid[])', [ids]);
  await db.query('delete from exports where id = any($1::uuid[])', [ids]);
  for (const row of rows) {
    if (row.objectKey) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: row.objectKey }));
  }
  const placeholders = rows.flatMap((r) => r.workflowId ?? []);
  if (placeholders.length === 0) return;
  await withTemporal(async (client) => {
    for (const workflowId of placeholders) {
      await client.workflow
        .getHandle(workflowId)
        .terminate('e2e clean-up')
        .catch((error: unknown) => {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        });
    }
  });
}

/** Export rows of one user created at or after `since` (the database's clock). */
export async function exportsOfUserSince(db: pg.Client, userId: string, since: Date) {
  const { rows } = await db.query<{ id: string; workflow_id: string; status: string }>(
    'select id, workflow_id, status from exports where user_id = $1 and created_at >= $2 order by created_at',
    [userId, since],
  );
  return rows;
}

export async function databaseNow(db: pg.Client): Promise<Date> {
  const { rows } = await db.query<{ now: Date }>('select clock_timestamp() as now');
  return rows[0]!.now;
}
