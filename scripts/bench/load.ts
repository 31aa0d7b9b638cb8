import { createHash } from 'node:crypto';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ageCompletedExports } from './age-exports';
import { ApiSession } from './api-session';
import { deleteObject, getObject, readManifest, type BenchContext } from './bench-context';
import { loadTenantSlugs, type LoadTenant } from './seed-bench-data';
import { round, summarize, type Summary } from './stats';

/**
 * Load: every load user's export requested at once through the API, across tenants; wait
 * until all have ended; then check that none was lost or duplicated, from four sides: the
 * HTTP answers, the exports table, the S3 objects (size, sha256, manifest row counts) and
 * Temporal (each workflow completed).
 */

export interface LoadResult {
  exports: number;
  tenants: number;
  wallMs: number;
  exportsPerSec: number;
  postMs: Summary;
  /** From the burst's start to each export's completed_at. */
  completionMs: Summary;
  /** `integrity: false` marks the targets (accepted, all complete); the rest guard against loss and duplication. */
  checks: Record<string, { ok: boolean; detail: string; integrity: boolean }>;
  allOk: boolean;
  /** No export lost, duplicated or wrong (refusals aside). */
  integrityOk: boolean;
}

export async function runLoad(ctx: BenchContext, opts: { appUrl: string; password: string; timeoutMs: number }): Promise<LoadResult> {
  const users = ctx.data.loadUsers;
  const sessions = {} as Record<LoadTenant, ApiSession>;
  for (const tenant of loadTenantSlugs) sessions[tenant] = await ApiSession.signIn(opts.appUrl, ctx.data.tenants[tenant].adminEmail, opts.password);

  // Each POST of the burst must start a new export: earlier runs' exports of these users
  // must not be handed back by the dedupe window (a 200, not a 202).
  await ageCompletedExports(
    ctx.db,
    users.map((u) => u.userId),
  );
  ctx.log(`load: requesting ${users.length} exports at once across ${loadTenantSlugs.length} tenants`);
  const wall0 = Date.now();
  const started = performance.now();
  const posted = await Promise.all(
    users.map(async (user) => {
      const t = performance.now();
      const answer = await sessions[user.tenant].requestExport(user.userId).catch((error: unknown) => ({ status: 0, export: undefined, error: String(error) }));
      return { user, answer, ms: performance.now() - t };
    }),
  );
  const ids = posted.map((p) => p.answer.export?.id).filter((id): id is string => Boolean(id));

  // Wait for every accepted export to end (the exports table is what pages read).
  let rows: Awaited<ReturnType<typeof exportRows>> = [];
  for (;;) {
    rows = await exportRows(ctx, ids);
    if (rows.every((r) => r.status !== 'queued' && r.status !== 'running')) break;
    if (performance.now() - started > opts.timeoutMs) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const wallMs = performance.now() - started;
  const byId = new Map(rows.map((r) => [r.id, r]));

  const checks: LoadResult['checks'] = {};
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
  const burst = await ctx.db
    .selectFrom('exports')
    .select(['user_id', 'status'])
    .where(
      'user_id',
      'in',
      users.map((u) => u.userId),
    )
    .where('created_at', '>=', new Date(wall0 - 1_000))
    .execute();
  const perUser = new Map<string, number>();
  for (const row of burst) perUser.set(row.user_id, (perUser.get(row.user_id) ?? 0) + 1);
  const dupes = [...perUser.values()].filter((n) => n !== 1).length;
  const stuck = burst.filter((r) => r.status === 'queued' || r.status === 'running').length;
  check(
    'none duplicated (one export row per request)',
    dupes === 0 && perUser.size === users.length,
    `${perUser.size} users with an export row from this burst, ${dupes} with more than one`,
  );
  check(
    'no export left queued or running',
    stuck === 0,
    `${stuck} rows still queued or running; refused requests' rows: ${burst.filter((r) => r.status === 'failed').length} failed`,
  );
  check(
    'all complete',
    rows.length === users.length && notCompleted.length === 0,
    `${rows.length - notCompleted.length}/${users.length} requests ended in a completed export`,
    false,
  );

  const rightRows = posted.filter((p) => p.answer.export && byId.get(p.answer.export.id)?.rows_exported === p.user.events);
  check(
    'rows exported',
    rightRows.length === rows.filter((r) => r.status === 'completed').length,
    `${rightRows.length}/${rows.filter((r) => r.status === 'completed').length} completed exports report exactly the user's event count`,
  );

  // Objects: exactly one per export, of the recorded size, with the recorded sha256, and
  // a manifest whose events.csv row count is the user's.
  const listed = new Map<string, number>();
  for (const tenant of loadTenantSlugs) {
    const { tenantId, environmentId } = ctx.data.tenants[tenant];
    for await (const object of listObjects(ctx, `exports/${tenantId}/${environmentId}/`)) listed.set(object.key, object.size);
  }
  const expectedKeys = rows.map((r) => r.object_key).filter((k): k is string => Boolean(k));
  const missing = expectedKeys.filter((k) => !listed.has(k));
  const wrongSize = rows.filter((r) => r.object_key && listed.has(r.object_key) && listed.get(r.object_key) !== r.bytes);
  const idSet = new Set(ids);
  const strays = [...listed.keys()].filter(
    (k) =>
      idSet.has(
        k
          .split('/')
          .pop()!
          .replace(/\.zip$/, ''),
      ) && !expectedKeys.includes(k),
  );
  check(
    'objects',
    missing.length === 0 && wrongSize.length === 0 && strays.length === 0,
    `${expectedKeys.length - missing.length}/${expectedKeys.length} objects present, ${wrongSize.length} of the wrong size, ${strays.length} stray`,
  );

  const eventsOf = new Map(users.map((u) => [u.userId, u.events]));
  let contentOk = 0;
  const contentBad: string[] = [];
  await inBatches(
    rows.filter((r) => r.object_key && listed.has(r.object_key)),
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
    contentOk === expectedKeys.length,
    `${contentOk}/${expectedKeys.length} objects match the row's sha256 and the user's event count${contentBad.length ? `; bad: ${contentBad.slice(0, 5).join(', ')}` : ''}`,
  );

  let openUploads = 0;
  for (const tenant of loadTenantSlugs) {
    const { tenantId, environmentId } = ctx.data.tenants[tenant];
    const open = await ctx.s3.send(new ListMultipartUploadsCommand({ Bucket: ctx.env.S3_BUCKET, Prefix: `exports/${tenantId}/${environmentId}/` }));
    openUploads += (open.Uploads ?? []).filter(
      (u) =>
        u.Key &&
        idSet.has(
          u.Key.split('/')
            .pop()!
            .replace(/\.zip$/, ''),
        ),
    ).length;
  }
  check('no open multipart uploads', openUploads === 0, `${openUploads} left open`);

  let workflowsCompleted = 0;
  await inBatches(ids, 10, async (id) => {
    const description = await ctx.temporal.workflow.getHandle(`user-export-${id}`).describe();
    if (description.status.name === 'COMPLETED') workflowsCompleted++;
  });
  check('workflows completed', workflowsCompleted === ids.length, `${workflowsCompleted}/${ids.length} workflows of accepted exports COMPLETED in Temporal`);

  for (const key of expectedKeys) await deleteObject(ctx.s3, ctx.env.S3_BUCKET, key);

  const completion = rows.filter((r) => r.completed_at).map((r) => r.completed_at!.getTime() - wall0);
  return {
    exports: users.length,
    tenants: loadTenantSlugs.length,
    wallMs: round(wallMs),
    exportsPerSec: round(rows.filter((r) => r.status === 'completed').length / (wallMs / 1000), 2),
    postMs: summarize(posted.map((p) => p.ms)),
    completionMs: summarize(completion),
    checks,
    allOk: Object.values(checks).every((c) => c.ok),
    integrityOk: Object.values(checks).every((c) => c.ok || !c.integrity),
  };
}

function exportRows(ctx: BenchContext, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return ctx.db
    .selectFrom('exports')
    .select(['id', 'user_id', 'status', 'rows_exported', 'bytes', 'sha256', 'object_key', 'error_summary', 'completed_at'])
    .where('id', 'in', ids)
    .execute();
}

async function* listObjects(ctx: BenchContext, prefix: string): AsyncGenerator<{ key: string; size: number }> {
  let token: string | undefined;
  do {
    const page = await ctx.s3.send(new ListObjectsV2Command({ Bucket: ctx.env.S3_BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) yield { key: o.Key, size: o.Size ?? -1 };
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
