import { z } from 'zod';
import { pageQuerySchema } from '../pagination/pagination.contracts';

/**
 * Shapes shared by the API, the UI and the workflow. No server imports here: client
 * components and the workflow bundle read this file.
 */
export const exportStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled', 'expired'] as const;
export type ExportStatusValue = (typeof exportStatuses)[number];
export const inFlightStatuses: readonly ExportStatusValue[] = ['queued', 'running'];
/** Endings without a file to download: "Export again" is offered on these, and `retryOf` may name them. */
export const retryableStatuses: readonly ExportStatusValue[] = ['failed', 'cancelled', 'expired'];

export const uuid = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} is required`)
    .max(64, `${what} is too long`)
    .pipe(z.uuid(`${what} must be a UUID`));

export const exportIdSchema = uuid('Export ID');

/**
 * Export formats by name, with what the UI says of them. The server-side modules behind
 * them are registered in formats/index.ts, which must list exactly these names.
 */
export const exportFormatCatalog = {
  csv: { label: 'CSV', description: 'profile.csv and events.csv, UTF-8' },
  'csv-excel': { label: 'CSV for Excel', description: 'The same CSV with a byte order mark, so Excel and LibreOffice read UTF-8' },
  jsonl: { label: 'JSON Lines', description: 'profile.jsonl and events.jsonl, one JSON object per line' },
} as const;
export type ExportFormatName = keyof typeof exportFormatCatalog;
export const exportFormatNames = Object.keys(exportFormatCatalog) as [ExportFormatName, ...ExportFormatName[]];
export const defaultExportFormat: ExportFormatName = 'csv';

export const exportFormatSchema = z.enum(exportFormatNames, { error: `format must be one of ${exportFormatNames.join(', ')}` });

/** RFC 3339: a date, a time with seconds, and Z or an offset. */
export const rfc3339 = (what: string) =>
  z
    .string({ error: `${what} must be an RFC 3339 date-time string` })
    .max(64, `${what} is too long`)
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/,
      `${what} must be an RFC 3339 date-time with seconds and a zone, e.g. 2026-01-31T00:00:00Z`,
    )
    .meta({ format: 'date-time', description: `RFC 3339 date-time (${what === 'from' ? 'inclusive' : 'exclusive'} bound on the events' occurred_at)` })
    .pipe(z.iso.datetime({ offset: true, error: `${what} is not a valid date-time` }));

/** The options of one export. `from`/`to` bound occurred_at, half-open: from ≤ t < to. */
export interface ExportOptions {
  format: ExportFormatName;
  from: string | null;
  to: string | null;
}
export const userIdSchema = uuid('User ID');

/** Input of UserExportWorkflow and its activity: ids only, tenant and environment explicit. */
export const userExportInputSchema = z.object({
  exportId: uuid('Export ID'),
  userId: uuid('User ID'),
  tenantId: uuid('Tenant ID'),
  environmentId: uuid('Environment ID'),
  // Optional: workflows started before export options existed carry none (a csv export of everything).
  format: exportFormatSchema.optional(),
  from: z.iso.datetime().nullish(),
  to: z.iso.datetime().nullish(),
});
export type UserExportInput = z.infer<typeof userExportInputSchema>;

export interface ExportProgress {
  rowsExported: number;
  rowsTotal: number | null;
}

/** The file an export wrote; the worker stores it on the export row (pages read it there). */
export interface ExportFileResult {
  objectKey: string;
  fileName: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** What an export attempt reports through Temporal: only what the row does not hold. */
export interface ExportAttemptStats {
  /** Heartbeats the export activity sent (benchmarks report it). */
  heartbeats: number;
}

/**
 * UserExportWorkflow's result. A failed or cancelled export ends the workflow Failed or
 * Canceled instead; the `failed`/`cancelled` shapes come only from workflows started before
 * that change (see the patch in user-export.workflow.ts).
 */
export type UserExportResult = ({ status: 'completed' } & Partial<ExportAttemptStats>) | { status: 'failed'; errorSummary: string } | { status: 'cancelled' };

export const exportDtoSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  userEmail: z.string(),
  requestedBy: z.object({ id: z.uuid(), email: z.string() }),
  status: z.enum(exportStatuses),
  progress: z.object({ rowsExported: z.number().int(), rowsTotal: z.number().int().nullable() }),
  bytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  errorSummary: z.string().nullable(),
  /** Why the mail about this export's ending was not sent (null when sent or not due). */
  notificationError: z.string().nullable(),
  workflowId: z.string(),
  workflowUrl: z.string().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  completedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  /** The failed, cancelled or expired export this one repeats ("Export again"); it has the same options. */
  retryOf: z.uuid().nullable(),
  format: exportFormatSchema,
  /** Bounds on the events' occurred_at, half-open [from, to); null when the export has no range. */
  range: z.object({ from: z.iso.datetime().nullable(), to: z.iso.datetime().nullable() }).nullable(),
  /**
   * Email of the admin who asked to cancel this export (null if nobody did, or the admin
   * was deleted). Set as soon as the cancel is accepted, while the export still runs.
   */
  cancelledBy: z.string().nullable(),
  /** The newest export that repeats this one, for the "Exported again →" link. */
  retriedBy: z.object({ id: z.uuid(), createdAt: z.iso.datetime() }).nullable(),
  /** The bulk export this export is one user of; null for a single export. */
  bulkExportId: z.uuid().nullable(),
});
export type ExportDto = z.infer<typeof exportDtoSchema>;

/** Route inputs; the same schemas validate requests and generate /api/openapi.json. */
export const exportIdParamsSchema = z.object({ id: exportIdSchema });
export const userIdParamsSchema = z.object({ userId: userIdSchema });
/**
 * Optional body of POST /api/users/{userId}/exports. No body, or `{}`, is a plain export
 * (csv, every event). `format` and the half-open range `from`/`to` (RFC 3339) choose what
 * is exported; `retryOf` links the new export to a failed, cancelled or expired one of the
 * same user and takes that export's options, so it comes alone.
 */
export const requestExportBodySchema = z
  .strictObject(
    {
      format: exportFormatSchema.optional(),
      from: rfc3339('from').optional(),
      to: rfc3339('to').optional(),
      retryOf: uuid('retryOf').optional(),
    },
    { error: 'The body must be a JSON object with only the fields format, from, to and retryOf' },
  )
  .refine((b) => !b.from || !b.to || Date.parse(b.from) < Date.parse(b.to), {
    message: 'from must be before to (the range is half-open: from ≤ occurred_at < to)',
    path: ['to'],
  })
  .refine((b) => !b.retryOf || (b.format === undefined && b.from === undefined && b.to === undefined), {
    message: 'retryOf repeats that export with its own format and range; send format, from and to without retryOf for a new export',
    path: ['retryOf'],
  });
export type RequestExportBody = z.infer<typeof requestExportBodySchema>;
export const listExportsQuerySchema = pageQuerySchema.extend({
  userId: userIdSchema.optional(),
  status: z.enum(exportStatuses, { error: `status must be one of ${exportStatuses.join(', ')}` }).optional(),
});
