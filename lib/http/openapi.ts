import { z } from 'zod';
import { auditCsvColumns, auditEntryDtoSchema, auditFilterFields, listAuditQueryFields } from '../audit/audit.contracts';
import { errorStatus } from '../errors';
import {
  bulkExportDtoSchema,
  bulkExportIdParamsSchema,
  bulkUserIdsMax,
  listBulkExportsQuerySchema,
  requestBulkExportBodySchema,
} from '../exports/bulk/bulk-export.contracts';
import { exportDtoSchema, exportIdParamsSchema, listExportsQuerySchema, requestExportBodySchema, userIdParamsSchema } from '../exports/export.contracts';
import { healthReportSchema, livenessSchema, readinessSchema } from '../health/health.contracts';
import { notificationSettingsSchema } from '../notifications/notification-settings.contracts';
import { listUsersQuerySchema, userDtoSchema } from '../users/user.contracts';
import { idempotencyKeyMaxLength } from './idempotency-key';

/**
 * OpenAPI 3.1 built from the same zod schemas that validate requests, so the document
 * cannot drift from the code. Response shapes without a request-side schema are declared here.
 */
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const errorBody = z.object({
  error: z.object({ code: z.enum(Object.keys(errorStatus) as [keyof typeof errorStatus]), message: z.string(), hint: z.string() }),
});
// Anonymous callers get only `status`.
const health = healthReportSchema.partial({ checks: true });

function parameters(schema: z.ZodObject, where: 'path' | 'query') {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(field as z.ZodType),
  }));
}

/** The IETF httpapi Idempotency-Key header, as POST /api/users/{userId}/exports reads it. */
const idempotencyKeyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Optional. The same key from the same admin returns the same export for 24 h (200). The key reused for another user or environment is a 409. A structured-field string ("…") or a bare token, 1–255 printable ASCII characters.',
  schema: { type: 'string', minLength: 1, maxLength: idempotencyKeyMaxLength },
};

const content = (schema: z.ZodType) => ({ 'application/json': { schema: jsonSchema(schema) } });
const errors = (...codes: (keyof typeof errorStatus)[]) =>
  Object.fromEntries(codes.map((code) => [String(errorStatus[code]), { description: code, content: content(errorBody) }]));
const exportBody = z.object({ export: exportDtoSchema });
const bulkBody = z.object({ bulkExport: bulkExportDtoSchema });

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Export Console API', version: '1.0.0', description: 'Tenant and environment come from the session cookie, never from the request.' },
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token' } } },
    security: [{ session: [] }],
    paths: {
      '/api/users': {
        get: {
          summary: "The session environment's users with event counts and each one's newest export",
          parameters: parameters(listUsersQuerySchema, 'query'),
          responses: {
            '200': { description: 'A page of users', content: content(z.object({ users: z.array(userDtoSchema), nextCursor: z.string().nullable() })) },
            ...errors('validation', 'unauthorized', 'unavailable'),
          },
        },
      },
      '/api/users/{userId}/exports': {
        post: {
          summary:
            'Start an export of one user (or return the one in flight, the one this admin started in the last 10 s, or the one this Idempotency-Key produced)',
          parameters: [...parameters(userIdParamsSchema, 'path'), idempotencyKeyHeader],
          requestBody: {
            required: false,
            description:
              "Optional. No body, or {}, is a plain export: csv of every event. format: csv (default), csv-excel (the same CSV with a UTF-8 BOM) or jsonl (JSON Lines: events.jsonl and profile.jsonl, one JSON object per line with the CSV headers as keys, no formula guard). from / to: RFC 3339 date-times bounding the events' occurred_at, half-open (from ≤ occurred_at < to), either may be left out; from must be before to. The manifest records format and range. Dedupe and Idempotency-Key compare these options: the same user with another format or range is another export. retryOf: a failed, cancelled or expired export of the same user that this one repeats with that export's format and range, so it comes without them (404 if not in this environment, 400 if of another user, 409 if it has a file).",
            content: content(requestExportBodySchema),
          },
          responses: {
            '202': { description: 'Started; Location: /api/exports/{id}', content: content(exportBody) },
            '200': {
              description: 'An existing export: queued or running, completed by this admin within the last 10 s, or the one this Idempotency-Key produced',
              content: content(exportBody),
            },
            ...errors('validation', 'unauthorized', 'forbidden', 'not_found', 'payload_too_large', 'rate_limited', 'unavailable'),
            '409': {
              description:
                'conflict: the Idempotency-Key was already used by this admin for another user, environment, format or range, or retryOf names an export that is not failed, cancelled or expired',
              content: content(errorBody),
            },
          },
        },
      },
      '/api/exports': {
        get: {
          summary: 'Export history, newest first',
          parameters: parameters(listExportsQuerySchema, 'query'),
          responses: {
            '200': { description: 'A page of exports', content: content(z.object({ exports: z.array(exportDtoSchema), nextCursor: z.string().nullable() })) },
            ...errors('validation', 'unauthorized', 'unavailable'),
          },
        },
      },
      '/api/exports/{id}': {
        get: {
          summary: 'One export with its progress (never waits on the workflow)',
          parameters: parameters(exportIdParamsSchema, 'path'),
          responses: {
            '200': { description: 'The export', content: content(exportBody) },
            ...errors('validation', 'unauthorized', 'not_found', 'unavailable'),
          },
        },
      },
      '/api/exports/{id}/download': {
        get: {
          summary: 'Redirect to a fresh presigned download URL (audited; refused with 403 when Sec-Fetch-Site is cross-site or same-site)',
          parameters: parameters(exportIdParamsSchema, 'path'),
          responses: {
            '302': { description: 'Location: presigned S3 URL (attachment)' },
            ...errors('validation', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'unavailable'),
            '410': { description: 'gone: the export expired and its file was deleted; the hint says how to export again', content: content(errorBody) },
          },
        },
      },
      '/api/exports/{id}/cancel': {
        post: {
          summary: 'Cancel a queued or running export',
          parameters: parameters(exportIdParamsSchema, 'path'),
          responses: {
            '202': { description: 'Cancellation requested', content: content(exportBody) },
            ...errors('validation', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'unavailable'),
          },
        },
      },
      '/api/bulk-exports': {
        get: {
          summary: 'Bulk exports, newest first, with aggregate progress and per-user failures',
          parameters: parameters(listBulkExportsQuerySchema, 'query'),
          responses: {
            '200': {
              description: 'A page of bulk exports',
              content: content(z.object({ bulkExports: z.array(bulkExportDtoSchema), nextCursor: z.string().nullable() })),
            },
            ...errors('validation', 'unauthorized', 'unavailable'),
          },
        },
        post: {
          summary:
            "Start a bulk export: one parent workflow runs a single export per user (inside the tenant's caps) and writes one ZIP with a folder per user and bulk-manifest.json",
          requestBody: {
            required: true,
            description: `Exactly one of userIds (1–${bulkUserIdsMax} distinct users of the session's environment; any other id is a 404 and nothing starts) or "all": true (every user of the environment as it is now). format, from and to as for a single export.`,
            content: content(requestBulkExportBodySchema),
          },
          responses: {
            '202': { description: 'Started; Location: /api/bulk-exports/{id}', content: content(bulkBody) },
            ...errors('validation', 'unauthorized', 'forbidden', 'not_found', 'payload_too_large', 'rate_limited', 'unavailable'),
          },
        },
      },
      '/api/bulk-exports/{id}': {
        get: {
          summary: 'One bulk export: users done, failed and cancelled of total, rows done of total, and the failures with their summaries',
          parameters: parameters(bulkExportIdParamsSchema, 'path'),
          responses: {
            '200': { description: 'The bulk export', content: content(bulkBody) },
            ...errors('validation', 'unauthorized', 'not_found', 'unavailable'),
          },
        },
      },
      '/api/bulk-exports/{id}/cancel': {
        post: {
          summary: 'Cancel a queued or running bulk export and every export it is running',
          parameters: parameters(bulkExportIdParamsSchema, 'path'),
          responses: {
            '202': { description: 'Cancellation requested', content: content(bulkBody) },
            ...errors('validation', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'unavailable'),
          },
        },
      },
      '/api/bulk-exports/{id}/download': {
        get: {
          summary:
            'Redirect to a fresh presigned download URL of the bulk ZIP (audited as bulk.downloaded; refused with 403 when Sec-Fetch-Site is cross-site or same-site)',
          parameters: parameters(bulkExportIdParamsSchema, 'path'),
          responses: {
            '302': { description: 'Location: presigned S3 URL (attachment)' },
            ...errors('validation', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'unavailable'),
            '410': { description: 'gone: the bulk export expired', content: content(errorBody) },
          },
        },
      },
      '/api/audit': {
        get: {
          summary:
            "The tenant's audit log, newest first (admins), filtered by action, admin, user (through the entry's export) and a half-open time range [from, to)",
          parameters: parameters(listAuditQueryFields, 'query'),
          responses: {
            '200': {
              description: 'A page of entries',
              content: content(z.object({ entries: z.array(auditEntryDtoSchema), nextCursor: z.string().nullable() })),
            },
            ...errors('validation', 'unauthorized', 'forbidden', 'unavailable'),
          },
        },
      },
      '/api/audit.csv': {
        get: {
          summary:
            'The filtered audit log as a streamed CSV download (admins; audited as audit.exported; refused with 403 when Sec-Fetch-Site is cross-site or same-site)',
          parameters: parameters(auditFilterFields, 'query'),
          responses: {
            '200': {
              description: `Content-Disposition: attachment; filename=audit-<tenant>-<environment>-<YYYYMMDDTHHMMSSZ>.csv. RFC 4180, LF, UTF-8, header row ${auditCsvColumns.join(',')}; newest first; times RFC 3339 UTC; a cell starting with =, +, -, @, tab or CR is prefixed with '`,
              content: { 'text/csv': { schema: { type: 'string' } } },
            },
            ...errors('validation', 'unauthorized', 'forbidden', 'unavailable'),
          },
        },
      },
      '/api/me/notifications': {
        get: {
          summary: "The signed-in admin's mail settings",
          responses: { '200': { description: 'Settings', content: content(notificationSettingsSchema) }, ...errors('unauthorized', 'unavailable') },
        },
        post: {
          summary: 'Turn mail about the exports this admin requests on or off (audited)',
          requestBody: { required: true, content: content(notificationSettingsSchema) },
          responses: {
            '200': { description: 'Saved', content: content(notificationSettingsSchema) },
            ...errors('validation', 'unauthorized', 'forbidden', 'unavailable'),
          },
        },
      },
      '/api/health': {
        get: {
          summary: 'Dependency status (details for signed-in admins only)',
          security: [],
          responses: { '200': { description: 'Up', content: content(health) }, '503': { description: 'A dependency is down', content: content(health) } },
        },
      },
      '/api/health/live': {
        get: {
          summary: 'Liveness probe: the process answers (no dependency is asked)',
          security: [],
          responses: { '200': { description: 'Alive', content: content(livenessSchema) } },
        },
      },
      '/api/health/ready': {
        get: {
          summary: 'Readiness probe: Postgres and Temporal answer (S3 and the worker are not required to serve)',
          security: [],
          responses: {
            '200': { description: 'Ready to serve', content: content(readinessSchema) },
            '503': { description: 'Postgres or Temporal is unreachable', content: content(readinessSchema) },
          },
        },
      },
    },
  };
}
