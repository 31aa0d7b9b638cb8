import { z } from 'zod';
import { errorStatus } from '../errors';
import { type RouteDeclaration, routes, splitRouteKey } from './routes';

/**
 * OpenAPI 3.1 built from the route list (routes.ts) and the same zod schemas that validate
 * requests, so the document cannot drift from the code: a route's parameters, body and
 * whether it needs a session come from its declaration.
 */
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const errorBody = z.object({
  error: z.object({ code: z.enum(Object.keys(errorStatus) as [keyof typeof errorStatus]), message: z.string(), hint: z.string() }),
});

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(field as z.ZodType),
  }));
}

const content = (schema: z.ZodType) => ({ 'application/json': { schema: jsonSchema(schema) } });

function operation(route: RouteDeclaration, doc: NonNullable<RouteDeclaration['doc']>) {
  const params = [...parameters(route.params, 'path'), ...parameters(route.query ?? doc.query, 'query'), ...(doc.headers ?? [])];
  // Errors first, then the route's own statuses: a route's 409 with its own wording replaces the generic one.
  const responses: Record<string, unknown> = Object.fromEntries(
    (doc.errors ?? []).map((code) => [String(errorStatus[code]), { description: code, content: content(errorBody) }]),
  );
  for (const [status, response] of Object.entries(doc.responses)) {
    const isError = Number(status) >= 400;
    const body = response.content ?? (response.schema ? content(response.schema) : isError ? content(errorBody) : undefined);
    responses[status] = { description: response.description, ...(body ? { content: body } : {}) };
  }
  return {
    summary: doc.summary,
    ...(params.length ? { parameters: params } : {}),
    ...(route.body
      ? {
          requestBody: {
            // No body reads as {} (withRoute): the body is optional exactly when {} is valid.
            required: !route.body.safeParse({}).success,
            ...(doc.bodyDescription ? { description: doc.bodyDescription } : {}),
            content: content(route.body),
          },
        }
      : {}),
    responses,
    ...(route.access === 'public' ? { security: [] } : {}),
  };
}

export function openApiDocument() {
  const paths: Record<string, Record<string, ReturnType<typeof operation>>> = {};
  for (const [key, route] of Object.entries(routes) as [string, RouteDeclaration][]) {
    if (!route.doc) continue;
    const { method, path } = splitRouteKey(key);
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation(route, route.doc) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Export Console API', version: '1.0.0', description: 'Tenant and environment come from the session cookie, never from the request.' },
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token' } } },
    security: [{ session: [] }],
    paths,
  };
}
