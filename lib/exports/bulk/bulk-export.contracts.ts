import { z } from 'zod';
import { pageQuerySchema } from '../../pagination/pagination.contracts';
import { exportFormatSchema, rfc3339, uuid } from '../export.contracts';

/**
 * Bulk export shapes shared by the API, the /exports page and the parent workflow. No
 * server imports: client components and the workflow bundle read this file.
 */
export const bulkExportStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled', 'expired'] as const;
export type BulkExportStatusValue = (typeof bulkExportStatuses)[number];
export const bulkInFlightStatuses: readonly BulkExportStatusValue[] = ['queued', 'running'];

/** One user of a bulk: waiting, its export running, or how that export ended. */
export const bulkUserStatuses = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type BulkUserStatusValue = (typeof bulkUserStatuses)[number];

/** Most users one request may name; "all users of this environment" has no such limit. */
export const bulkUserIdsMax = 1000;
/** Body cap of POST /api/bulk-exports: 1000 quoted UUIDs with separators (~39 KB) and the options, with room to spare. */
export const bulkRequestMaxBytes = 64 * 1024;

export const bulkExportIdSchema = uuid('Bulk export ID');
export const bulkExportIdParamsSchema = z.object({ id: bulkExportIdSchema });

/**
 * Body of POST /api/bulk-exports: exactly one of `userIds` (1–1000 distinct users of the
 * session's environment) or `all: true`, plus the options of a single export.
 */
export const requestBulkExportBodySchema = z
  .strictObject(
    {
      userIds: z
        .array(uuid('Each user ID'), { error: 'userIds must be an array of user IDs' })
        .min(1, 'userIds must name at least one user')
        .max(bulkUserIdsMax, `userIds may name at most ${bulkUserIdsMax} users; use {"all": true} for every user of the environment`)
        .refine((ids) => new Set(ids.map((id) => id.toLowerCase())).size === ids.length, 'userIds must not repeat a user')
        .optional(),
      all: z.literal(true, { error: 'all must be true when present' }).optional(),
      format: exportFormatSchema.optional(),
      from: rfc3339('from').optional(),
      to: rfc3339('to').optional(),
    },
    { error: 'The body must be a JSON object with only the fields userIds, all, format, from and to' },
  )
  .refine((b) => (b.userIds === undefined) !== (b.all === undefined), {
    message: 'Send exactly one of userIds (a list of user IDs) or "all": true',
    path: ['userIds'],
  })
  .refine((b) => !b.from || !b.to || Date.parse(b.from) < Date.parse(b.to), {
    message: 'from must be before to (the range is half-open: from ≤ occurred_at < to)',
    path: ['to'],
  });
export type RequestBulkExportBody = z.infer<typeof requestBulkExportBodySchema>;

export const listBulkExportsQuerySchema = pageQuerySchema;

/** How many failures a bulk export's JSON lists; `progress.usersFailed` counts them all. */
export const bulkFailuresListed = 100;

export const bulkExportDtoSchema = z.object({
  id: z.uuid(),
  status: z.enum(bulkExportStatuses),
  /** Every user of the environment (as it was when requested), rather than a selection. */
  all: z.boolean(),
  requestedBy: z.object({ id: z.uuid(), email: z.string() }),
  format: exportFormatSchema,
  range: z.object({ from: z.iso.datetime().nullable(), to: z.iso.datetime().nullable() }).nullable(),
  progress: z.object({
    usersTotal: z.number().int(),
    usersDone: z.number().int(),
    usersFailed: z.number().int(),
    usersCancelled: z.number().int(),
    /** Rows of the users done, plus the rows written so far by the exports running now. */
    rowsDone: z.number().int(),
    rowsTotal: z.number().int().nullable(),
  }),
  /** The users whose export failed (the first 100 by position), each with why. */
  failures: z.array(z.object({ userId: z.uuid(), userEmail: z.string(), exportId: z.uuid().nullable(), summary: z.string() })),
  bytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  errorSummary: z.string().nullable(),
  workflowId: z.string(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  completedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
});
export type BulkExportDto = z.infer<typeof bulkExportDtoSchema>;

/**
 * BulkExportWorkflow's input: ids, the options, tuning, and the cursor (the position of the
 * last user handled), the one thing carried across continue-as-new. Counters live in the
 * bulk_exports row.
 */
export const bulkExportWorkflowInputSchema = z.object({
  bulkExportId: uuid('Bulk export ID'),
  tenantId: uuid('Tenant ID'),
  environmentId: uuid('Environment ID'),
  format: exportFormatSchema,
  from: z.iso.datetime().nullish(),
  to: z.iso.datetime().nullish(),
  /** Children in flight at once (the tenant's caps still apply to each start). */
  concurrency: z.number().int().min(1).max(100),
  /** Users per run before continue-as-new. */
  batchSize: z.number().int().min(1).max(1000),
  /** Position of the last user handled by earlier runs; 0 on the first run. */
  cursor: z.number().int().min(0).default(0),
  /** Runs before this one (continue-as-new count), for logs and tests. */
  runsBefore: z.number().int().min(0).default(0),
});
export type BulkExportWorkflowInput = z.input<typeof bulkExportWorkflowInputSchema>;

/** The last run's result (the ZIP is on the bulk row); `runs` counts the runs of the chain, continue-as-new included. */
export type BulkExportResult = { status: 'completed'; runs: number };

/** A bulk export's ids, as its activities take them. */
export interface BulkExportRef {
  bulkExportId: string;
  tenantId: string;
  environmentId: string;
}

export interface BulkUserRef {
  position: number;
  userId: string;
}
