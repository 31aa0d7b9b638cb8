import { z } from 'zod';
import { pageQuerySchema } from '../pagination/pagination.contracts';

/**
 * The audit log's actions and filters, shared by the API, the OpenAPI document and the
 * /audit page. Client-safe: zod only.
 */
export const auditActions = [
  'export.requested',
  'export.cancelled',
  'export.downloaded',
  'export.expired',
  'auth.signed_in',
  'audit.exported',
  'admin.notifications_changed',
  'bulk.requested',
  'bulk.cancelled',
  'bulk.downloaded',
  'bulk.expired',
] as const;
export type AuditActionValue = (typeof auditActions)[number];

const uuid = (what: string) =>
  z
    .string()
    .trim()
    .pipe(z.uuid(`${what} must be a UUID`));

// A whole instant with its offset (2026-11-01T09:30:00Z, …+01:00), or a UTC date (2026-11-01 = its midnight UTC).
const instant = (what: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? z.iso.date().safeParse(value).success : z.iso.datetime({ offset: true }).safeParse(value).success),
      {
        message: `${what} must be an ISO 8601 date (2026-11-01) or date-time with an offset (2026-11-01T09:30:00Z)`,
      },
    )
    .transform((value) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value));

/** Filters of GET /api/audit and GET /api/audit.csv. `from`/`to` are half-open: from ≤ time < to. */
export const auditFilterFields = z.object({
  action: z.enum(auditActions, { error: `action must be one of ${auditActions.join(', ')}` }).optional(),
  adminId: uuid('adminId').optional(),
  userId: uuid('userId').optional(),
  userEmail: z.string().trim().min(1).max(320, 'userEmail is too long').optional(),
  from: instant('from').optional(),
  to: instant('to').optional(),
});

const fromBeforeTo = (f: { from?: Date; to?: Date }) => !f.from || !f.to || f.from < f.to;
const fromBeforeToError = { message: 'from must be before to', path: ['to'] };

export const auditFilterSchema = auditFilterFields.refine(fromBeforeTo, fromBeforeToError);
export type AuditFilters = z.infer<typeof auditFilterSchema>;

/** GET /api/audit: a page of the filtered log. The unrefined object is what OpenAPI lists. */
export const listAuditQueryFields = pageQuerySchema.extend(auditFilterFields.shape);
export const listAuditQuerySchema = listAuditQueryFields.refine(fromBeforeTo, fromBeforeToError);
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;

/** The filter fields as URL query names, in the order the page and the CSV link write them. */
export const auditFilterNames = ['action', 'adminId', 'userId', 'userEmail', 'from', 'to'] as const;

/** Columns of GET /api/audit.csv, in order. */
export const auditCsvColumns = [
  'id',
  'time',
  'action',
  'environment',
  'admin_id',
  'admin_email',
  'user_id',
  'user_email',
  'export_id',
  'client_address',
  'user_agent',
  'details',
] as const;

/** One row of GET /api/audit: the type the page reads and the schema OpenAPI publishes. */
export const auditEntryDtoSchema = z.object({
  id: z.uuid(),
  action: z.enum(auditActions),
  createdAt: z.iso.datetime(),
  // Null when the system acted: the retention sweep expiring an export.
  admin: z.object({ id: z.uuid(), email: z.string() }).nullable(),
  // Slug of the environment the action was taken in; null for sign-ins.
  environment: z.string().nullable(),
  exportId: z.uuid().nullable(),
  userId: z.uuid().nullable(),
  userEmail: z.string().nullable(),
  // Null on rows written before addresses were recorded.
  clientAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type AuditEntryDto = z.infer<typeof auditEntryDtoSchema>;
