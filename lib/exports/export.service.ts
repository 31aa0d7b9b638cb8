import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import type { Database } from '../db/schema';
import { getDb } from '../db/web-db';
import { sharedEnv } from '../env';
import { AppError } from '../errors';
import { decodeTimeCursor, encodeCursor } from '../pagination/cursor';
import type { Actor, Scope } from '../scope';
import { presignDownload } from '../storage/presign';
import { createPublicS3Client } from '../storage/s3';
import { getTemporalClient } from '../temporal/client';
import { exportStartSearchAttributes } from '../temporal/search-attributes';
import { startRegisteredWorkflow, temporalUnavailable } from '../temporal/start-workflow';
import { findUser } from '../users/user.repository';
import { zipContainer } from './archive/zip-container';
import {
  defaultExportFormat,
  type ExportDto,
  type ExportFormatName,
  type ExportOptions,
  type ExportStatusValue,
  retryableStatuses,
  type UserExportInput,
} from './export.contracts';
import { createQueuedExport, failExport, markExportCancelled, notStartedSummary } from './export-lifecycle';
import * as repo from './export.repository';
import * as idem from './idempotency.repository';
import { toExportDto } from './export.mapper';
import { checkExportRateLimits } from './rate-limit';

const userNotFound = () => new AppError('not_found', 'User not found', 'Check the user id; users of other environments are not visible here.');
const idempotencyKeyReused = () =>
  new AppError(
    'conflict',
    'This Idempotency-Key was already used for another export request',
    'A key stands for one request (one user, one environment, one format and range) for 24 hours; send a fresh key for a new export.',
  );

/** Times as the row stores and the API shows them (UTC, milliseconds), so equal ranges compare equal. */
const normalTime = (value: string | undefined) => (value === undefined ? null : new Date(value).toISOString());

/** The options a request body asks for; none is today's export (csv, every event). */
export function exportOptionsOf(body: { format?: ExportFormatName; from?: string; to?: string }): ExportOptions {
  return { format: body.format ?? defaultExportFormat, from: normalTime(body.from), to: normalTime(body.to) };
}

const optionsOfRow = (row: repo.ExportView): ExportOptions => ({
  format: row.format as ExportFormatName,
  from: row.range_from?.toISOString() ?? null,
  to: row.range_to?.toISOString() ?? null,
});

const sameOptions = (a: ExportOptions, b: ExportOptions) => a.format === b.format && a.from === b.from && a.to === b.to;
const notFound = () => new AppError('not_found', 'Export not found', 'Check the export id; exports of other environments are not visible here.');

function dto(row: repo.ExportView): ExportDto {
  const env = sharedEnv();
  return toExportDto(row, { uiUrl: env.TEMPORAL_UI_URL, namespace: env.TEMPORAL_NAMESPACE });
}

async function mustFind(scope: Scope, id: string): Promise<repo.ExportView> {
  const row = await repo.findExport(getDb(), scope, id);
  if (!row) throw notFound();
  return row;
}

/**
 * How long after an export of a user was created the same admin's next request for that
 * user returns it rather than starting another. It covers a burst of clicks whose first
 * export finished (a user with few events takes ~100 ms) before the later ones were served.
 */
export const exportDedupeWindowMs = 10_000;

/**
 * Starts an export of one user, or returns the one a new request should reuse: the user's
 * export in flight, or this admin's export of the user completed within the dedupe window
 * (checked before the rate limit). With an `Idempotency-Key`, the export that key produced
 * within 24 h is returned, and the key reused for another user or environment is a 409.
 * Requests for one user are serialised by a per-user lock. A new export's row, its key
 * binding and its audit entry are written first; the tenant lock is taken last, held only
 * for one count and the commit, so the caps stay exact across processes while the tenant's
 * requests for other users queue as little as possible. The workflow is started after the
 * commit, with no database connection held, and the answer is built from what the
 * transaction read: once Temporal accepted the start, nothing can turn the answer into an
 * error. A start that fails leaves the export `failed`, never a `queued` row blocking the
 * user. A process that dies between the commit and the start leaves such a row with no
 * workflow; the reconciler (export-reconciler.ts) fails it about a minute later.
 */
export async function requestExport(
  scope: Scope,
  actor: Actor,
  userId: string,
  options: { idempotencyKey?: string; retryOf?: string; exportOptions?: ExportOptions } = {},
): Promise<{ export: ExportDto; created: boolean }> {
  const db = getDb();
  const env = sharedEnv();
  const key = options.idempotencyKey;
  const outcome = await db.transaction().execute(async (tx) => {
    if (key !== undefined) await idem.lockIdempotencyKey(tx, actor.id, key);
    const userFound = await repo.lockUserForExports(tx, scope, userId);
    const bound = key === undefined ? undefined : await idem.findIdempotencyKey(tx, scope.tenantId, actor.id, key);
    if (bound && (bound.user_id !== userId || bound.environment_id !== scope.environmentId)) throw idempotencyKeyReused();
    if (!userFound) throw userNotFound();
    // "Export again" repeats the original with its options; otherwise the request's (or today's).
    const exportOptions =
      options.retryOf !== undefined ? optionsOfRow(await assertRetryable(tx, scope, userId, options.retryOf)) : (options.exportOptions ?? exportOptionsOf({}));
    const boundExport = bound && (await repo.findExport(tx, scope, bound.export_id));
    if (boundExport && !sameOptions(optionsOfRow(boundExport), exportOptions)) throw idempotencyKeyReused();
    const existing = boundExport || (await repo.findReusableExportForUser(tx, scope, userId, exportOptions, actor.id, exportDedupeWindowMs));
    const id = existing?.id ?? randomUUID();
    if (!existing) {
      await createQueuedExport(tx, {
        id,
        scope,
        userId,
        requestedBy: actor.id,
        workflowId: `user-export-${id}`,
        retryOf: options.retryOf ?? null,
        options: exportOptions,
      });
    }
    if (key !== undefined && !bound) await idem.bindIdempotencyKey(tx, scope, { adminId: actor.id, key, userId, exportId: id });
    await recordAudit(tx, {
      ...scope,
      adminId: actor.id,
      origin: actor.origin,
      action: 'export.requested',
      exportId: id,
      details: {
        userId,
        deduplicated: Boolean(existing),
        format: exportOptions.format,
        ...(exportOptions.from || exportOptions.to ? { range: { from: exportOptions.from, to: exportOptions.to } } : {}),
        ...(bound ? { idempotentReplay: true } : {}),
        ...(options.retryOf ? { retryOf: options.retryOf } : {}),
      },
    });
    if (existing) return { row: existing, created: false, exportOptions };
    // Last, so the tenant's lock is held for one count and the commit (rate-limit.ts).
    const locked = await repo.findExportLockingTenant(tx, scope, id);
    if (!locked) throw notFound();
    const { tenant_locked: _, ...row } = locked;
    await checkExportRateLimits(tx, scope.tenantId, { perMinute: env.EXPORT_RATE_PER_MINUTE, concurrent: env.EXPORT_MAX_CONCURRENT }, id);
    return { row, created: true, exportOptions };
  });

  if (outcome.created) {
    const { id } = outcome.row;
    const { format, from, to } = outcome.exportOptions;
    // Range bounds go into the workflow input only when set.
    const input: UserExportInput = { exportId: id, userId, ...scope, format, ...(from ? { from } : {}), ...(to ? { to } : {}) };
    try {
      await startRegisteredWorkflow(await getTemporalClient().catch((e) => Promise.reject(temporalUnavailable(e))), 'UserExportWorkflow', {
        workflowId: `user-export-${id}`,
        args: [input],
        env,
        searchAttributes: exportStartSearchAttributes(input),
      });
    } catch (error) {
      await failExport(db, scope, id, notStartedSummary);
      throw error;
    }
  }
  // A new export is shown as committed (queued); its worker may already have moved it on.
  return { export: dto(outcome.row), created: outcome.created };
}

/**
 * `retryOf` must name an export of this environment (else 404, as if it did not exist), of
 * the same user, that ended without a file to download. Dedupe still applies: with an
 * export of the user in flight, that one is returned and nothing is linked.
 */
async function assertRetryable(tx: Transaction<Database>, scope: Scope, userId: string, retryOf: string): Promise<repo.ExportView> {
  const original = await repo.findExport(tx, scope, retryOf);
  if (!original)
    throw new AppError('not_found', 'The export named by retryOf was not found', 'Check retryOf; exports of other environments are not visible here.');
  if (original.user_id !== userId) {
    throw new AppError('validation', 'retryOf names an export of another user', 'Send retryOf to the exports endpoint of the user that export belongs to.');
  }
  if (!retryableStatuses.includes(original.status)) {
    throw new AppError(
      'conflict',
      `The export named by retryOf is ${original.status}`,
      `Only ${retryableStatuses.join(', ')} exports can be exported again; request a plain export instead.`,
    );
  }
  return original;
}

export async function getExport(scope: Scope, id: string): Promise<ExportDto> {
  return dto(await mustFind(scope, id));
}

export async function listExports(
  scope: Scope,
  query: { userId?: string; status?: ExportStatusValue; cursor?: string; limit: number },
): Promise<{ exports: ExportDto[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeTimeCursor(query.cursor) : undefined;
  // Filtering by a user this environment does not have is a 404, like any other lookup.
  if (query.userId && !(await findUser(getDb(), scope, query.userId))) throw userNotFound();
  const rows = await repo.listExports(getDb(), scope, {
    userId: query.userId,
    status: query.status,
    after,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    exports: page.map(dto),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at.toISOString(), last.id) : null,
  };
}

/**
 * Asks Temporal to cancel; the workflow marks the export cancelled once the upload is
 * aborted. The audit row is written first in a transaction that commits only after
 * Temporal accepted the cancel, so a refused or failed cancel leaves no record of a cancel
 * that did not happen, and a failing audit insert stops the cancel before it is sent
 * (review L12). The one gap left: the commit itself fails after Temporal accepted; the
 * client then sees an error, and Temporal's history still holds the cancel request.
 */
export async function cancelExport(scope: Scope, actor: Actor, id: string): Promise<ExportDto> {
  assertCancellable(await mustFind(scope, id));
  // Dialled before the transaction, so a slow connect does not hold a database connection.
  const client = await getTemporalClient().catch((e) => Promise.reject(temporalUnavailable(e)));
  await getDb()
    .transaction()
    .execute(async (tx) => {
      // Checked again inside: the export may have ended while Temporal was dialled.
      const row = assertCancellable(await repo.findExport(tx, scope, id));
      await recordAudit(tx, { ...scope, adminId: actor.id, origin: actor.origin, action: 'export.cancelled', exportId: id });
      try {
        // The deadline bounds how long the transaction stays open.
        await client.connection.withDeadline(Date.now() + 5_000, () => client.workflow.getHandle(row.workflow_id).cancel());
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw temporalUnavailable(error);
        // No workflow behind it (it never started): end the row here, with its audit row.
        await markExportCancelled(tx, scope, id);
      }
    });
  return dto(await mustFind(scope, id));
}

function assertCancellable(row: repo.ExportView | undefined): repo.ExportView {
  if (!row) throw notFound();
  if (row.status !== 'queued' && row.status !== 'running') {
    throw new AppError('conflict', `The export has already ended (${row.status})`, 'Only queued or running exports can be cancelled.');
  }
  return row;
}

export const exportExpired = (expiresAt: Date | null) =>
  new AppError(
    'gone',
    `The export file was deleted when it expired${expiresAt ? ` on ${expiresAt.toISOString()}` : ''}`,
    'Export files are kept for a limited time. Use "Export again" on the history page (or POST /api/users/{userId}/exports with {"retryOf": "<this export id>"}) for a fresh file.',
  );

/**
 * A fresh presigned link per click, signed for the address the browser reaches. From
 * expiresAt on the file is gone (410) even before the hourly sweep deletes it.
 */
export async function downloadUrl(scope: Scope, actor: Actor, id: string): Promise<string> {
  const row = await mustFind(scope, id);
  if (row.status === 'expired' || (row.status === 'completed' && row.expires_at && row.expires_at.getTime() <= Date.now())) {
    throw exportExpired(row.expires_at);
  }
  if (row.status !== 'completed' || !row.object_key) {
    throw new AppError('conflict', `The export is ${row.status}, not completed`, 'Wait until the export shows Completed, then download it.');
  }
  const env = sharedEnv();
  const url = await presignDownload(createPublicS3Client(env), {
    bucket: env.S3_BUCKET,
    key: row.object_key,
    fileName: row.file_name ?? `${row.id}.${zipContainer.extension}`,
    contentType: zipContainer.contentType,
    ttlSeconds: env.EXPORT_LINK_TTL_SECONDS,
  });
  await recordAudit(getDb(), { ...scope, adminId: actor.id, origin: actor.origin, action: 'export.downloaded', exportId: id });
  return url;
}
