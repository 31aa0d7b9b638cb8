import { z } from 'zod';
import { auditCsvColumns, auditEntryDtoSchema, auditFilterFields, listAuditQueryFields } from '../audit/audit.contracts';
import type { errorStatus } from '../errors';
import {
  bulkExportDtoSchema,
  bulkExportIdParamsSchema,
  bulkRequestMaxBytes,
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
 * Every API route, declared once: who may call it, what it parses, and how OpenAPI
 * describes it. withRoute takes its settings from here, openapi.ts builds the document
 * from here, and the guard tests (tests/unit/routes.unit.test.ts, e2e/api/isolation.spec.ts)
 * walk this list, so a route added here is guarded, documented and tested in one step.
 * The key is the method and the OpenAPI path; the route file sits at the same path under app/.
 */
export type Access = 'public' | 'signed-in' | 'admin-role';
export type RouteKey = `${'GET' | 'POST'} /api/${string}`;

/** A response as OpenAPI shows it: a description and, for a body, its zod schema. */
interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** A body that is not JSON (the audit CSV): content type → OpenAPI schema. */
  content?: Record<string, { schema: Record<string, unknown> }>;
}

export interface RouteDeclaration {
  /** 'admin-role' = may change things (export, cancel, download); viewers get 403. */
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * The route has an effect even on GET (the download writes a "downloaded" audit row), so
   * it gets the cross-site check that state changes get: a link on another site must not
   * make an admin's browser act in the admin's name (review L9).
   */
  sideEffectOnGet?: boolean;
  /** A link people click (the download): a browser navigation that fails gets a page, not JSON. */
  pageOnNavigationError?: boolean;
  /** A larger body cap than the default 16 KiB, for a route whose body may list many ids. */
  maxBodyBytes?: number;
  /** next-auth's own endpoints: its handler, not withRoute, and not in the document. */
  handledBy?: 'next-auth';
  doc?: {
    summary: string;
    /** Query parameters the handler parses itself (the audit filters, for their own hints). */
    query?: z.ZodObject;
    headers?: Record<string, unknown>[];
    bodyDescription?: string;
    /** Success responses by status; errors list the codes of errorStatus the route can answer. */
    responses: Record<string, ResponseDoc>;
    errors?: (keyof typeof errorStatus)[];
  };
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

const exportBody = z.object({ export: exportDtoSchema });
const bulkBody = z.object({ bulkExport: bulkExportDtoSchema });
const page = <S extends z.ZodType>(key: string, item: S) => z.object({ [key]: z.array(item), nextCursor: z.string().nullable() });
// Anonymous callers get only `status`.
const health = healthReportSchema.partial({ checks: true });
const presignedRedirect = { '302': { description: 'Location: presigned S3 URL (attachment)' } };

export const routes = {
  'GET /api/users': {
    access: 'signed-in',
    query: listUsersQuerySchema,
    doc: {
      summary: "The session environment's users with event counts and each one's newest export",
      responses: { '200': { description: 'A page of users', schema: page('users', userDtoSchema) } },
      errors: ['validation', 'unauthorized', 'unavailable'],
    },
  },
  'POST /api/users/{userId}/exports': {
    access: 'admin-role',
    params: userIdParamsSchema,
    body: requestExportBodySchema,
    doc: {
      summary:
        'Start an export of one user (or return the one in flight, the one this admin started in the last 10 s, or the one this Idempotency-Key produced)',
      headers: [idempotencyKeyHeader],
      bodyDescription:
        "Optional. No body, or {}, is a plain export: csv of every event. format: csv (default), csv-excel (the same CSV with a UTF-8 BOM) or jsonl (JSON Lines: events.jsonl and profile.jsonl, one JSON object per line with the CSV headers as keys, no formula guard). from / to: RFC 3339 date-times bounding the events' occurred_at, half-open (from ≤ occurred_at < to), either may be left out; from must be before to. The manifest records format and range. Dedupe and Idempotency-Key compare these options: the same user with another format or range is another export. retryOf: a failed, cancelled or expired export of the same user that this one repeats with that export's format and range, so it comes without them (404 if not in this environment, 400 if of another user, 409 if it has a file).",
      responses: {
        '202': { description: 'Started; Location: /api/exports/{id}', schema: exportBody },
        '200': {
          description: 'An existing export: queued or running, completed by this admin within the last 10 s, or the one this Idempotency-Key produced',
          schema: exportBody,
        },
        '409': {
          description:
            'conflict: the Idempotency-Key was already used by this admin for another user, environment, format or range, or retryOf names an export that is not failed, cancelled or expired',
        },
      },
      errors: ['validation', 'unauthorized', 'forbidden', 'not_found', 'payload_too_large', 'rate_limited', 'unavailable'],
    },
  },
  'GET /api/exports': {
    access: 'signed-in',
    query: listExportsQuerySchema,
    doc: {
      summary: 'Export history, newest first',
      responses: { '200': { description: 'A page of exports', schema: page('exports', exportDtoSchema) } },
      errors: ['validation', 'unauthorized', 'unavailable'],
    },
  },
  'GET /api/exports/{id}': {
    access: 'signed-in',
    params: exportIdParamsSchema,
    doc: {
      summary: 'One export with its progress (never waits on the workflow)',
      responses: { '200': { description: 'The export', schema: exportBody } },
      errors: ['validation', 'unauthorized', 'not_found', 'unavailable'],
    },
  },
  'GET /api/exports/{id}/download': {
    access: 'admin-role',
    params: exportIdParamsSchema,
    sideEffectOnGet: true,
    pageOnNavigationError: true,
    doc: {
      summary: 'Redirect to a fresh presigned download URL (audited; refused with 403 when Sec-Fetch-Site is cross-site or same-site)',
      responses: {
        ...presignedRedirect,
        '410': { description: 'gone: the export expired and its file was deleted; the hint says how to export again' },
      },
      errors: ['validation', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'unavailable'],
    },
  },
  'POST /api/exports/{id}/cancel': {
    access: 'admin-role',
    params: exportIdParamsSchema,
    doc: {
      summary: 'Cancel a queued or running export',
      responses: { '202': { description: 'Cancellation requested', schema: exportBody } },
      errors: ['validation', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'unavailable'],
    },
  },
  'GET /api/bulk-exports': {
    access: 'signed-in',
    query: listBulkExportsQuerySchema,
    doc: {
      summary: 'Bulk exports, newest first, with aggregate progress and per-user failures',
      responses: { '200': { description: 'A page of bulk exports', schema: page('bulkExports', bulkExportDtoSchema) } },
      errors: ['validation', 'unauthorized', 'unavailable'],
    },
  },
  'POST /api/bulk-exports': {
    access: 'admin-role',
    body: requestBulkExportBodySchema,
    // Up to 1000 user ids: a larger body than the 16 KiB other routes take.
    maxBodyBytes: bulkRequestMaxBytes,
    doc: {
      summary:
        "Start a bulk export: one parent workflow runs a single export per user (inside the tenant's caps) and writes one ZIP with a folder per user and bulk-manifest.json",
      bodyDescription: `Exactly one of userIds (1–${bulkUserIdsMax} distinct users of the session's environment; any other id is a 404 and nothing starts) or "all": true (every user of the environment as it is now). format, from and to as for a single export.`,
      responses: { '202': { description: 'Started; Location: /api/bulk-exports/{id}', schema: bulkBody } },
      errors: ['validation', 'unauthorized', 'forbidden', 'not_found', 'payload_too_large', 'rate_limited', 'unavailable'],
    },
  },
  'GET /api/bulk-exports/{id}': {
    access: 'signed-in',
    params: bulkExportIdParamsSchema,
    doc: {
      summary: 'One bulk export: users done, failed and cancelled of total, rows done of total, and the failures with their summaries',
      responses: { '200': { description: 'The bulk export', schema: bulkBody } },
      errors: ['validation', 'unauthorized', 'not_found', 'unavailable'],
    },
  },
  'POST /api/bulk-exports/{id}/cancel': {
    access: 'admin-role',
    params: bulkExportIdParamsSchema,
    doc: {
      summary: 'Cancel a queued or running bulk export and every export it is running',
      responses: { '202': { description: 'Cancellation requested', schema: bulkBody } },
      errors: ['validation', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'unavailable'],
    },
  },
  'GET /api/bulk-exports/{id}/download': {
    access: 'admin-role',
    params: bulkExportIdParamsSchema,
    sideEffectOnGet: true,
    pageOnNavigationError: true,
    doc: {
      summary:
        'Redirect to a fresh presigned download URL of the bulk ZIP (audited as bulk.downloaded; refused with 403 when Sec-Fetch-Site is cross-site or same-site)',
      responses: { ...presignedRedirect, '410': { description: 'gone: the bulk export expired' } },
      errors: ['validation', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'unavailable'],
    },
  },
  'GET /api/audit': {
    access: 'admin-role',
    doc: {
      summary:
        "The tenant's audit log, newest first (admins), filtered by action, admin, user (through the entry's export) and a half-open time range [from, to)",
      query: listAuditQueryFields,
      responses: { '200': { description: 'A page of entries', schema: page('entries', auditEntryDtoSchema) } },
      errors: ['validation', 'unauthorized', 'forbidden', 'unavailable'],
    },
  },
  'GET /api/audit.csv': {
    access: 'admin-role',
    // Audited on GET, so a link on another site must not trigger it in an admin's name.
    sideEffectOnGet: true,
    doc: {
      summary:
        'The filtered audit log as a streamed CSV download (admins; audited as audit.exported; refused with 403 when Sec-Fetch-Site is cross-site or same-site)',
      query: auditFilterFields,
      responses: {
        '200': {
          description: `Content-Disposition: attachment; filename=audit-<tenant>-<environment>-<YYYYMMDDTHHMMSSZ>.csv. RFC 4180, LF, UTF-8, header row ${auditCsvColumns.join(',')}; newest first; times RFC 3339 UTC; a cell starting with =, +, -, @, tab or CR is prefixed with '`,
          content: { 'text/csv': { schema: { type: 'string' } } },
        },
      },
      errors: ['validation', 'unauthorized', 'forbidden', 'unavailable'],
    },
  },
  'GET /api/me/notifications': {
    access: 'signed-in',
    doc: {
      summary: "The signed-in admin's mail settings",
      responses: { '200': { description: 'Settings', schema: notificationSettingsSchema } },
      errors: ['unauthorized', 'unavailable'],
    },
  },
  'POST /api/me/notifications': {
    access: 'signed-in',
    body: notificationSettingsSchema,
    doc: {
      summary: 'Turn mail about the exports this admin requests on or off (audited)',
      responses: { '200': { description: 'Saved', schema: notificationSettingsSchema } },
      errors: ['validation', 'unauthorized', 'forbidden', 'unavailable'],
    },
  },
  'GET /api/health': {
    access: 'public',
    doc: {
      summary: 'Dependency status (details for signed-in admins only)',
      responses: { '200': { description: 'Up', schema: health }, '503': { description: 'A dependency is down', schema: health } },
    },
  },
  'GET /api/health/live': {
    access: 'public',
    doc: {
      summary: 'Liveness probe: the process answers (no dependency is asked)',
      responses: { '200': { description: 'Alive', schema: livenessSchema } },
    },
  },
  'GET /api/health/ready': {
    access: 'public',
    doc: {
      summary: 'Readiness probe: Postgres and Temporal answer (S3 and the worker are not required to serve)',
      responses: {
        '200': { description: 'Ready to serve', schema: readinessSchema },
        '503': { description: 'Postgres or Temporal is unreachable', schema: readinessSchema },
      },
    },
  },
  'GET /api/openapi.json': {
    access: 'public',
    doc: {
      summary: 'This document: OpenAPI 3.1, built from the route list and the schemas that validate requests',
      responses: { '200': { description: 'The OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  },
  'GET /api/auth/{...nextauth}': { access: 'public', handledBy: 'next-auth' },
  'POST /api/auth/{...nextauth}': { access: 'public', handledBy: 'next-auth' },
} satisfies Record<RouteKey, RouteDeclaration>;

export type Routes = typeof routes;
export type DeclaredRoute = keyof Routes;

/** The method and OpenAPI path a key names. */
export function splitRouteKey(key: string): { method: 'GET' | 'POST'; path: string } {
  const [method, path] = key.split(' ') as ['GET' | 'POST', string];
  return { method, path };
}

/** Whether withRoute runs the cross-site check: every state change, and GETs that write. */
export function checksOrigin(key: DeclaredRoute): boolean {
  const route: RouteDeclaration = routes[key];
  return splitRouteKey(key).method !== 'GET' || route.sideEffectOnGet === true;
}
