import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../lib/http/openapi';

// That every route file is in the route list, and the list in the document: routes.unit.test.ts.

type Media = { schema: Record<string, unknown> };
type Content = { 'application/json': Media } & Record<string, Media>;
type Response = { description: string; content: Content };
/** The parts of an operation these tests read; the document is built from the route list, so its type is general. */
interface Operation {
  summary: string;
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody: { required: boolean; description: string; content: Content };
  responses: Record<'200' | '202' | '409' | '410', Response> & Record<string, Response>;
}

describe('OpenAPI document', () => {
  const doc = openApiDocument();
  const op = (path: string, method: 'get' | 'post') => {
    const operation = doc.paths[path]?.[method];
    if (!operation) throw new Error(`${method} ${path} is not in the document`);
    return operation as unknown as Operation;
  };

  it('is OpenAPI 3.1 and lists every route', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/audit',
      '/api/audit.csv',
      '/api/bulk-exports',
      '/api/bulk-exports/{id}',
      '/api/bulk-exports/{id}/cancel',
      '/api/bulk-exports/{id}/download',
      '/api/exports',
      '/api/exports/{id}',
      '/api/exports/{id}/cancel',
      '/api/exports/{id}/download',
      '/api/health',
      '/api/health/live',
      '/api/health/ready',
      '/api/me/notifications',
      '/api/openapi.json',
      '/api/users',
      '/api/users/{userId}/exports',
    ]);
  });

  it('derives parameters from the validating schemas', () => {
    const params = op('/api/exports', 'get').parameters;
    const limit = params.find((p) => p.name === 'limit')!;
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { maximum: 100, minimum: 1, default: 20 } });
    const status = params.find((p) => p.name === 'status')!;
    expect(status.schema).toMatchObject({ enum: ['queued', 'running', 'completed', 'failed', 'cancelled', 'expired'] });
    expect(op('/api/exports/{id}', 'get').parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
  });

  it('documents the optional Idempotency-Key header and its 409 on the export request', () => {
    const post = op('/api/users/{userId}/exports', 'post');
    expect(post.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }));
    expect(post.responses['409']).toMatchObject({ description: expect.stringMatching(/Idempotency-Key/) });
  });

  it('documents the optional retryOf body of the export request, and 410 on an expired download', () => {
    const post = op('/api/users/{userId}/exports', 'post');
    expect(post.requestBody).toMatchObject({
      required: false,
      content: {
        'application/json': { schema: { type: 'object', properties: { retryOf: expect.objectContaining({ type: 'string' }) }, additionalProperties: false } },
      },
    });
    const download: Record<string, unknown> = op('/api/exports/{id}/download', 'get').responses;
    expect(download['410']).toMatchObject({ description: expect.stringMatching(/^gone/) });
    const exportSchema = (
      post.responses['202'].content['application/json'].schema as unknown as { properties: { export: { properties: Record<string, unknown> } } }
    ).properties.export;
    expect(Object.keys(exportSchema.properties)).toEqual(expect.arrayContaining(['retryOf', 'retriedBy']));
  });

  it("documents the export options body (format, half-open range) and the export's format and range", () => {
    const post = op('/api/users/{userId}/exports', 'post');
    const body = post.requestBody.content['application/json'].schema as unknown as {
      properties: Record<string, { enum?: string[]; type?: string; format?: string }>;
    };
    expect(Object.keys(body.properties).sort()).toEqual(['format', 'from', 'retryOf', 'to']);
    expect(body.properties.format!.enum).toEqual(['csv', 'csv-excel', 'jsonl']);
    expect(body.properties.from).toMatchObject({ type: 'string', format: 'date-time' });
    expect(post.requestBody.description).toMatch(/half-open/);
    const exportSchema = (
      post.responses['202'].content['application/json'].schema as unknown as { properties: { export: { properties: Record<string, unknown> } } }
    ).properties.export;
    expect(exportSchema.properties.format).toMatchObject({ enum: ['csv', 'csv-excel', 'jsonl'] });
    expect(exportSchema.properties).toHaveProperty('range');
  });

  it('documents the audit filters, the known actions and the CSV download', () => {
    const names = op('/api/audit', 'get').parameters.map((p) => p.name);
    expect(names).toEqual(['cursor', 'limit', 'action', 'adminId', 'userId', 'userEmail', 'from', 'to']);
    const action = op('/api/audit', 'get').parameters.find((p) => p.name === 'action')!;
    expect(action.schema).toMatchObject({ enum: expect.arrayContaining(['export.requested', 'auth.signed_in', 'audit.exported']) });
    const csv = op('/api/audit.csv', 'get');
    expect(csv.parameters.map((p) => p.name)).toEqual(['action', 'adminId', 'userId', 'userEmail', 'from', 'to']);
    expect(csv.responses['200'].content).toHaveProperty('text/csv');
    expect((csv.responses as Record<string, unknown>)['403']).toBeDefined();
  });

  it('documents the error shape on error responses', () => {
    const responses: Record<string, unknown> = op('/api/exports/{id}', 'get').responses;
    const notFound = responses['404'] as { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } };
    expect(notFound.content['application/json'].schema.properties).toHaveProperty('error');
  });

  it("documents who cancelled an export and each user's newest export", () => {
    type Props = { properties: Record<string, { properties?: Record<string, unknown> } & Record<string, unknown>> };
    const exportSchema = op('/api/exports/{id}', 'get').responses['200'].content['application/json'].schema as unknown as Props;
    expect(exportSchema.properties.export!.properties).toHaveProperty('cancelledBy');
    const users = op('/api/users', 'get').responses['200'].content['application/json'].schema as unknown as { properties: { users: { items: Props } } };
    const latest = users.properties.users.items.properties.latestExport!;
    expect(JSON.stringify(latest)).toMatch(/"status".*"progress".*"expiresAt"/);
  });

  it('documents the bulk export body: exactly one of userIds or all, the export options, and 404 for unknown users', () => {
    const post = op('/api/bulk-exports', 'post');
    const body = post.requestBody.content['application/json'].schema as unknown as { properties: Record<string, { type?: string; maxItems?: number }> };
    expect(Object.keys(body.properties).sort()).toEqual(['all', 'format', 'from', 'to', 'userIds']);
    expect(body.properties.userIds).toMatchObject({ type: 'array', maxItems: 1000 });
    expect(post.requestBody.description).toMatch(/Exactly one of userIds/);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '400', '403', '404', '429']));
    expect(Object.keys(op('/api/bulk-exports/{id}/download', 'get').responses)).toEqual(expect.arrayContaining(['302', '403', '409', '410']));
  });
});
