import os from 'node:os';
import { ageCompletedExports } from './age-exports';
import { ApiSession } from './api-session';
import { deleteObject, type BenchContext } from './bench-context';
import { processCpuSpan } from './cpu-monitor';
import { acceptedIds, checkBurst, postBurst, waitForBurst, type BurstChecks } from './burst-checks';
import { loadTenantSlugs, type LoadTenant } from './seed-bench-data';
import { round, summarize, type Summary } from './stats';

/**
 * Load: every load user's export requested at once through the API, across tenants; wait
 * until all have ended; then check that none was lost or duplicated (burst-checks.ts).
 */

export interface LoadResult {
  exports: number;
  tenants: number;
  wallMs: number;
  exportsPerSec: number;
  postMs: Summary;
  /**
   * CPU time the web process spent per POST, from the first request sent to the last
   * answer read: what the burst costs the web app, less moved by other work on the
   * machine than the answer times are (optional: absent in runs before it was recorded).
   */
  webCpuMsPerPost?: number;
  /** From the burst's start to each export's completed_at. */
  completionMs: Summary;
  /** `integrity: false` marks the targets (accepted, all complete); the rest guard against loss and duplication. */
  checks: BurstChecks;
  allOk: boolean;
  /** No export lost, duplicated or wrong (refusals aside). */
  integrityOk: boolean;
}

export async function runLoad(
  ctx: BenchContext,
  opts: { appUrl: string; webPid: number | undefined; password: string; timeoutMs: number },
): Promise<LoadResult> {
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
  const webCpu = opts.webPid === undefined ? undefined : processCpuSpan({ web: opts.webPid });
  const posted = await postBurst(users, (user) => sessions[user.tenant].requestExport(user.userId));
  const webSpan = webCpu?.();
  const ids = acceptedIds(posted);
  await waitForBurst(ctx.db, ids, opts.timeoutMs);
  const wallMs = performance.now() - started;
  const { checks, rows, objectKeys } = await checkBurst(ctx, { posted, since: new Date(wall0 - 1_000) });
  for (const key of objectKeys) await deleteObject(ctx.s3, ctx.env.S3_BUCKET, key);

  const completion = rows.filter((r) => r.completed_at).map((r) => r.completed_at!.getTime() - wall0);
  return {
    exports: users.length,
    tenants: loadTenantSlugs.length,
    wallMs: round(wallMs),
    exportsPerSec: round(rows.filter((r) => r.status === 'completed').length / (wallMs / 1000), 2),
    postMs: summarize(posted.map((p) => p.ms)),
    webCpuMsPerPost: webSpan && round((webSpan.shares.web! * webSpan.seconds * os.availableParallelism() * 1000) / posted.length, 1),
    completionMs: summarize(completion),
    checks,
    allOk: Object.values(checks).every((c) => c.ok),
    integrityOk: Object.values(checks).every((c) => c.ok || !c.integrity),
  };
}
