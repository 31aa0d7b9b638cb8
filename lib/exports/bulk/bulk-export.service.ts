import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { recordAudit } from '../../audit/audit.repository';
import { getDb } from '../../db/web-db';
import { sharedEnv } from '../../env';
import { AppError } from '../../errors';
import { decodeTimeCursor, encodeCursor } from '../../pagination/cursor';
import type { Actor, Scope } from '../../scope';
import { presignDownload } from '../../storage/presign';
import { createPublicS3Client } from '../../storage/s3';
import { getTemporalClient } from '../../temporal/client';
import { bulkExportStartSearchAttributes } from '../../temporal/search-attributes';
import { startRegisteredWorkflow, temporalUnavailable } from '../../temporal/start-workflow';
import { zipContainer } from '../archive/zip-container';
import { lockTenantForExports } from '../export.repository';
import { exportOptionsOf } from '../export.service';
import { type BulkExportDto, type BulkExportWorkflowInput, type RequestBulkExportBody, bulkInFlightStatuses } from './bulk-export.contracts';
import { bulkNotStartedSummary, failBulkExport, markBulkCancelled } from './bulk-export-lifecycle';
import { toBulkExportDto } from './bulk-export.mapper';
import * as repo from './bulk-export.repository';

/** Parent workflows a tenant may have queued or running at once; their children share the tenant's export caps. */
export const bulkExportsInFlightPerTenant = 3;

const notFound = () => new AppError('not_found', 'Bulk export not found', 'Check the bulk export id; bulk exports of other environments are not visible here.');
const usersNotFound = () =>
  new AppError(
    'not_found',
    'One or more users were not found',
    'Every user id must name a user of the environment you are signed in to; refresh the users list and select again.',
  );

async function dtos(scope: Scope, rows: repo.BulkExportView[]): Promise<BulkExportDto[]> {
  const ids = rows.map((r) => r.id);
  const [live, failures] = await Promise.all([repo.liveRowsOfBulks(getDb(), scope, ids), repo.failuresOfBulks(getDb(), scope, ids)]);
  return rows.map((row) => toBulkExportDto(row, { liveRows: live.get(row.id) ?? 0, failures: failures.filter((f) => f.bulk_export_id === row.id) }));
}

async function mustFind(scope: Scope, id: string): Promise<repo.BulkExportView> {
  const row = await repo.findBulkExport(getDb(), scope, id);
  if (!row) throw notFound();
  return row;
}

/**
 * Starts a bulk export of the named users (each must be a user of the session's
 * environment, else 404 and nothing starts) or of every user of the environment. The bulk
 * row, its user snapshot and the audit entry commit together; then the parent workflow is
 * started, and a start that fails leaves the bulk `failed`.
 */
export async function requestBulkExport(scope: Scope, actor: Actor, body: RequestBulkExportBody): Promise<BulkExportDto> {
  const env = sharedEnv();
  const options = exportOptionsOf(body);
  const id = randomUUID();
  const workflowId = `bulk-export-${id}`;
  await getDb()
    .transaction()
    .execute(async (tx) => {
      if (body.userIds) {
        const found = await repo.findUsersInScope(tx, scope, body.userIds);
        if (found.size !== body.userIds.length) throw usersNotFound();
      }
      // The tenant lock (the one export requests take) makes the count exact across web processes.
      await lockTenantForExports(tx, scope.tenantId);
      if ((await repo.countTenantBulkExportsInFlight(tx, scope.tenantId)) >= bulkExportsInFlightPerTenant) {
        throw new AppError(
          'rate_limited',
          `Your tenant already has ${bulkExportsInFlightPerTenant} bulk exports queued or running`,
          'Wait for one of them to finish, or cancel one, then try again.',
          { retryAfterSeconds: 30, reason: 'concurrency_cap' },
        );
      }
      await repo.insertBulkExport(tx, { id, scope, requestedBy: actor.id, workflowId, all: body.all === true, options, usersTotal: 0 });
      const usersTotal = await repo.insertBulkUsers(tx, scope, id, body.userIds);
      if (usersTotal === 0)
        throw new AppError('validation', 'This environment has no users to export', 'Add users to the environment, or pick another environment.');
      await tx
        .updateTable('bulk_exports')
        .set({ users_total: usersTotal })
        .where('tenant_id', '=', scope.tenantId)
        .where('environment_id', '=', scope.environmentId)
        .where('id', '=', id)
        .execute();
      await recordAudit(tx, {
        ...scope,
        adminId: actor.id,
        origin: actor.origin,
        action: 'bulk.requested',
        details: {
          bulkExportId: id,
          users: usersTotal,
          all: body.all === true,
          format: options.format,
          ...(options.from || options.to ? { range: { from: options.from, to: options.to } } : {}),
        },
      });
    });

  const input: BulkExportWorkflowInput = {
    bulkExportId: id,
    ...scope,
    format: options.format,
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
    concurrency: Math.min(env.BULK_EXPORT_CONCURRENCY, env.EXPORT_MAX_CONCURRENT),
    batchSize: env.BULK_EXPORT_BATCH_SIZE,
  };
  try {
    await startRegisteredWorkflow(await getTemporalClient().catch((e) => Promise.reject(temporalUnavailable(e))), 'BulkExportWorkflow', {
      workflowId,
      args: [input],
      env,
      searchAttributes: bulkExportStartSearchAttributes(scope),
    });
  } catch (error) {
    await failBulkExport(getDb(), scope, id, bulkNotStartedSummary);
    throw error;
  }
  return getBulkExport(scope, id);
}

export async function getBulkExport(scope: Scope, id: string): Promise<BulkExportDto> {
  const [dto] = await dtos(scope, [await mustFind(scope, id)]);
  return dto!;
}

export async function listBulkExports(
  scope: Scope,
  query: { cursor?: string; limit: number },
): Promise<{ bulkExports: BulkExportDto[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeTimeCursor(query.cursor) : undefined;
  const rows = await repo.listBulkExports(getDb(), scope, { after, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    bulkExports: await dtos(scope, page),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at.toISOString(), last.id) : null,
  };
}

/**
 * Cancels the parent workflow; Temporal passes the cancel to every running child, each
 * child records its export `cancelled`, and the parent then ends the bulk `cancelled`.
 * Audited in the same transaction, committed only once Temporal accepted the cancel.
 */
export async function cancelBulkExport(scope: Scope, actor: Actor, id: string): Promise<BulkExportDto> {
  assertCancellable(await mustFind(scope, id));
  const client = await getTemporalClient().catch((e) => Promise.reject(temporalUnavailable(e)));
  await getDb()
    .transaction()
    .execute(async (tx) => {
      const row = assertCancellable(await repo.findBulkExport(tx, scope, id));
      await recordAudit(tx, { ...scope, adminId: actor.id, origin: actor.origin, action: 'bulk.cancelled', details: { bulkExportId: id } });
      try {
        await client.connection.withDeadline(Date.now() + 5_000, () => client.workflow.getHandle(row.workflow_id).cancel());
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw temporalUnavailable(error);
        // No workflow behind it (it never started): end the row here.
        await markBulkCancelled(tx, scope, id);
      }
    });
  return getBulkExport(scope, id);
}

function assertCancellable(row: repo.BulkExportView | undefined): repo.BulkExportView {
  if (!row) throw notFound();
  if (!bulkInFlightStatuses.includes(row.status)) {
    throw new AppError('conflict', `The bulk export has already ended (${row.status})`, 'Only queued or running bulk exports can be cancelled.');
  }
  return row;
}

/** A fresh presigned link to the bulk ZIP per click; audited as bulk.downloaded. */
export async function bulkDownloadUrl(scope: Scope, actor: Actor, id: string): Promise<string> {
  const row = await mustFind(scope, id);
  if (row.status === 'expired' || (row.status === 'completed' && row.expires_at && row.expires_at.getTime() <= Date.now())) {
    throw new AppError(
      'gone',
      `The bulk export file was deleted when it expired${row.expires_at ? ` on ${row.expires_at.toISOString()}` : ''}`,
      'Export files are kept for a limited time; request the bulk export again.',
    );
  }
  if (row.status !== 'completed' || !row.object_key) {
    throw new AppError('conflict', `The bulk export is ${row.status}, not completed`, 'Wait until the bulk export shows Completed, then download it.');
  }
  const env = sharedEnv();
  const url = await presignDownload(createPublicS3Client(env), {
    bucket: env.S3_BUCKET,
    key: row.object_key,
    fileName: row.file_name ?? `bulk-${row.id}.${zipContainer.extension}`,
    contentType: zipContainer.contentType,
    ttlSeconds: env.EXPORT_LINK_TTL_SECONDS,
  });
  await recordAudit(getDb(), { ...scope, adminId: actor.id, origin: actor.origin, action: 'bulk.downloaded', details: { bulkExportId: id } });
  return url;
}

/** How many users "Export all users of this environment" would export now. */
export async function countEnvironmentUsers(scope: Scope): Promise<number> {
  return repo.countUsersInScope(getDb(), scope);
}
