import { createHash } from 'node:crypto';
import { ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import type { Db } from '../../lib/db/client';
import type { SharedEnv } from '../../lib/env';
import type { ExportDto } from '../../lib/exports/export.contracts';
import { exportObjectPrefix } from '../../lib/exports/export-file-name';
import { getObject, readManifest } from './bench-context';

/**
 * A burst of export requests and the checks that none was lost, duplicated or wrong, from
 * four sides: the HTTP answers, the exports table, the S3 objects (exactly one per export,
 * its size and sha256 those of the row, its manifest's row count the user's) and Temporal
 * (one completed workflow per accepted request). Shared by the bench's load and scale
 * sections and the scale-out test suite.
 */

export interface BurstUser {
  userId: string;
  tenantId: string;
  environmentId: string;
  events: number;
}

export interface BurstAnswer {
  status: number;
  export?: Pick<ExportDto, 'id'>;
  error?: unknown;
}

export interface Posted<U extends BurstUser = BurstUser> {
  user: U;
  answer: BurstAnswer;
  ms: number;
}

export interface BurstContext {
  env: Pick<SharedEnv, 'S3_BUCKET'>;
  db: Db;
  s3: S3Client;
  temporal: Client;
}

/** `integrity: false` marks the targets (accepted, all complete); the rest guard against loss and duplication. */
export type BurstChecks = Record<string, { ok: boolean; detail: string; integrity: boolean }>;

export type BurstRow = Awaited<ReturnType<typeof exportRows>>[number];

/**
 * Every request at once, or at most `concurrency` in flight (a crowd of browsers rather than
 * one client opening hundreds of connections); a request that throws counts as status 0.
 */
export async function postBurst<U extends BurstUser>(
  users: U[],
  post: (user: U, index: number) => Promise<BurstAnswer>,
  opts: { concurrency?: number } = {},
): Promise<Posted<U>[]> {
  const posted: Posted<U>[] = new Array(users.length);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < users.length; index = next++) {
      const user = users[index]!;
      const t = performance.now();
      const answer = await post(user, index).catch((error: unknown) => ({ status: 0, export: undefined, error: String(error) }));
      posted[index] = { user, answer, ms: performance.now() - t };
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? users.length, users.length) }, lane));
  return posted;
}

/**
 * A client keeping the API's 503 contract ("unavailable … try again in a few seconds"): up
 * to `tries` attempts, 1 s, 2 s, … apart, attempt n through `send(n)` (another instance,
 * as a load balancer would pick). A 503 must leave nothing behind; the one-row-per-user
 * check of checkBurst catches one that did. `onRetry` counts the retries for the report.
 */
export async function retryUnavailable(send: (attempt: number) => Promise<BurstAnswer>, opts: { tries: number; onRetry?: () => void }): Promise<BurstAnswer> {
  for (let attempt = 0; ; attempt++) {
    const answer = await send(attempt);
    if (answer.status !== 503 || attempt + 1 >= opts.tries) return answer;
    opts.onRetry?.();
    await new Promise((r) => setTimeout(r, 1_000 * (attempt + 1)));
  }
}

export const acceptedIds = (posted: Posted[]) => posted.map((p) => p.answer.export?.id).filter((id): id is string => Boolean(id));

/** Waits until every export has ended (or `timeoutMs` passed); returns the rows as they are then. */
export async function waitForBurst(db: Db, ids: string[], timeoutMs: number): Promise<BurstRow[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const rows = await exportRows(db, ids);
    if (rows.every((r) => r.status !== 'queued' && r.status !== 'running') || performance.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function checkBurst(
  ctx: BurstContext,
  burst: { posted: Posted[]; since: Date; workflowTimeoutMs?: number },
): Promise<{ checks: BurstChecks; rows: BurstRow[]; objectKeys: string[] }> {
  const { posted, since } = burst;
  const users = posted.map((p) => p.user);
  const ids = acceptedIds(posted);
  const rows = await exportRows(ctx.db, ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const checks: BurstChecks = {};
  const check = (name: string, ok: boolean, detail: string, integrity = true) => (checks[name] = { ok, detail, integrity });

  const refused = posted.filter((p) => p.answer.status !== 202);
  const reasons = [...new Set(refused.map((p) => `${p.answer.status} ${JSON.stringify(p.answer.error)}`))].slice(0, 3);
  check(
    'accepted',
    refused.length === 0,
    refused.length === 0 ? `${posted.length}/${posted.length} answered 202` : `${refused.length} of ${posted.length} refused: ${reasons.join('; ')}`,
    false,
  );
  check('distinct ids', new Set(ids).size === ids.length, `${new Set(ids).size} distinct export ids for ${ids.length} accepted requests`);
  const notCompleted = rows.filter((r) => r.status !== 'completed');
  check(
    'none lost (every accepted export completed)',
    notCompleted.length === 0 && rows.length === ids.length,
    `${rows.length - notCompleted.length}/${ids.length} accepted exports completed${notCompleted.length ? `; others: ${JSON.stringify(notCompleted.slice(0, 5).map((r) => [r.id, r.status, r.error_summary]))}` : ''}`,
  );

  // Every request of the burst, accepted or not, left exactly one row, and none in flight.
  const burstRows = await ctx.db
    .selectFrom('exports')
    .select(['user_id', 'status'])
    .where(
      'user_id',
      'in',
      users.map((u) => u.userId),
    )
    .where('created_at', '>=', since)
    .execute();
  const perUser = new Map<string, number>();
  for (const row of burstRows) perUser.set(row.user_id, (perUser.get(row.user_id) ?? 0) + 1);
  const dupes = [...perUser.values()].filter((n) => n !== 1).length;
  const stuck = burstRows.filter((r) => r.status === 'queued' || r.status === 'running').length;
  check(
    'none duplicated (one export row per request)',
    dupes === 0 && perUser.size === users.length,
    `${perUser.size} users with an export row from this burst, ${dupes} with more than one`,
  );
  check(
    'no export left queued or running',
    stuck === 0,
    `${stuck} rows still queued or running; refused requests' rows: ${burstRows.filter((r) => r.status === 'failed').length} failed`,
  );
  check(
    'all complete',
    rows.length === users.length && notCompleted.length === 0,
    `${rows.length - notCompleted.length}/${users.length} requests ended in a completed export`,
    false,
  );

  const completed = rows.filter((r) => r.status === 'completed');
  const rightRows = posted.filter((p) => p.answer.export && byId.get(p.answer.export.id)?.rows_exported === p.user.events);
  check(
    'rows exported',
    rightRows.length === completed.length,
    `${rightRows.length}/${completed.length} completed exports report exactly the user's event count`,
  );

  // Objects: exactly one under each export's prefix (attempts write keys of their own), the
  // row's, of the recorded size.
  const objectKeys = completed.map((r) => r.object_key).filter((k): k is string => Boolean(k));
  const perExport = new Map<string, { key: string; size: number }[]>();
  const openUploads: string[] = [];
  await inBatches(rows, 16, async (row) => {
    const prefix = exportObjectPrefix({ tenantId: row.tenant_id, environmentId: row.environment_id, exportId: row.id });
    perExport.set(row.id, await listObjects(ctx, prefix));
    const open = await ctx.s3.send(new ListMultipartUploadsCommand({ Bucket: ctx.env.S3_BUCKET, Prefix: prefix }));
    for (const upload of open.Uploads ?? []) openUploads.push(upload.Key ?? '');
  });
  const notOne = rows.filter((r) => (perExport.get(r.id) ?? []).length !== (r.status === 'completed' ? 1 : 0));
  const wrongObject = completed.filter((r) => {
    const [only] = perExport.get(r.id) ?? [];
    return !only || only.key !== r.object_key || only.size !== r.bytes;
  });
  check(
    'objects (exactly one per completed export, the row’s key and size)',
    notOne.length === 0 && wrongObject.length === 0 && objectKeys.length === completed.length,
    `${completed.length - wrongObject.length}/${completed.length} completed exports have exactly their row's object; ${notOne.length} exports with a wrong object count${notOne.length ? ` (e.g. ${notOne[0]!.id}: ${(perExport.get(notOne[0]!.id) ?? []).length})` : ''}`,
  );

  const eventsOf = new Map(users.map((u) => [u.userId, u.events]));
  let contentOk = 0;
  const contentBad: string[] = [];
  await inBatches(
    completed.filter((r) => r.object_key),
    8,
    async (row) => {
      const zip = await getObject(ctx.s3, ctx.env.S3_BUCKET, row.object_key!);
      const sha = createHash('sha256').update(zip).digest('hex');
      const manifest = await readManifest(zip);
      const events = manifest.files.find((f) => f.name === 'events.csv');
      if (sha === row.sha256 && events?.rows === eventsOf.get(row.user_id)) contentOk++;
      else contentBad.push(row.id);
    },
  );
  check(
    'object content',
    contentOk === completed.length,
    `${contentOk}/${completed.length} objects match the row's sha256 and the user's event count${contentBad.length ? `; bad: ${contentBad.slice(0, 5).join(', ')}` : ''}`,
  );
  check('no open multipart uploads', openUploads.length === 0, `${openUploads.length} left open`);

  // The activity marks the row completed; the workflow completes a task later (after a
  // worker's kill -9, once its sticky task has timed out), so running ones are waited for.
  const workflowStatus = new Map<string, string>();
  const deadline = Date.now() + (burst.workflowTimeoutMs ?? 120_000);
  await inBatches(ids, 20, async (id) => {
    const handle = ctx.temporal.workflow.getHandle(`user-export-${id}`);
    for (;;) {
      const status = (await handle.describe()).status.name;
      workflowStatus.set(id, status);
      if (status !== 'RUNNING' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  const notCompletedWorkflows: [string, string][] = [];
  for (const [id, status] of workflowStatus) {
    if (status === 'COMPLETED') continue;
    // Why, for the report: the failure's message and cause.
    const why =
      notCompletedWorkflows.length < 3 && status === 'FAILED'
        ? await ctx.temporal.workflow
            .getHandle(`user-export-${id}`)
            .result()
            .then(
              () => '',
              (error: unknown) => failureText(error),
            )
        : '';
    notCompletedWorkflows.push([id, `${status}${why ? `: ${why}` : ''}`]);
  }
  check(
    'workflows completed',
    notCompletedWorkflows.length === 0 && workflowStatus.size === ids.length,
    `${ids.length - notCompletedWorkflows.length}/${ids.length} workflows of accepted exports COMPLETED in Temporal${notCompletedWorkflows.length ? `; others: ${JSON.stringify(notCompletedWorkflows.slice(0, 5))}` : ''}`,
  );
  return { checks, rows, objectKeys };
}

function failureText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined; e && parts.length < 4; e = e.cause as typeof e) parts.push(e.message ?? String(e));
  return parts.join(' ← ');
}

export const failedChecks = (checks: BurstChecks) =>
  Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name, c]) => `${name}: ${c.detail}`);

function exportRows(db: Db, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('exports')
    .select([
      'id',
      'tenant_id',
      'environment_id',
      'user_id',
      'status',
      'rows_exported',
      'bytes',
      'sha256',
      'object_key',
      'error_summary',
      'created_at',
      'started_at',
      'completed_at',
    ])
    .where('id', 'in', ids)
    .execute();
}

async function listObjects(ctx: BurstContext, prefix: string): Promise<{ key: string; size: number }[]> {
  const found: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.s3.send(new ListObjectsV2Command({ Bucket: ctx.env.S3_BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) found.push({ key: o.Key, size: o.Size ?? -1 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

export async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
