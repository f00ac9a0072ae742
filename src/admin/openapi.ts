import { zodToJsonSchema } from 'zod-to-json-schema';
import type { z } from 'zod';
import { routes, type RouteSpec } from './routes.js';
import { errorBody } from './schemas.js';

const schema = (s: z.ZodTypeAny) => {
  const { $schema: _ignored, ...rest } = zodToJsonSchema(s, {
    target: 'jsonSchema2019-09',
    $refStrategy: 'none',
  }) as Record<string, unknown>;
  return rest;
};

function parameters(spec: RouteSpec) {
  const list: unknown[] = [];
  for (const [where, obj] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (!obj) continue;
    const json = schema(obj) as { properties?: Record<string, { description?: string }>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      list.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(prop.description ? { description: prop.description } : {}),
        schema: prop,
      });
    }
  }
  return list;
}

/** The OpenAPI 3.1 document of the admin API, generated from the same schemas that validate requests. */
export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const err = { content: { 'application/json': { schema: schema(errorBody) } } };
  for (const [operationId, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    (paths[`/api/admin${spec.path}`] ??= {})[spec.method] = {
      operationId,
      summary: spec.summary,
      description: `Roles: ${spec.roles.join(', ')}`,
      security: [{ entraId: [] }],
      parameters: parameters(spec),
      ...(spec.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schema(spec.body) } } } }
        : {}),
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: schema(spec.response) } } },
        400: { description: 'Invalid input; `details` gives each field path', ...err },
        401: { description: 'Missing or invalid Entra ID token', ...err },
        403: { description: 'Role, tenant or address not allowed', ...err },
        404: { description: 'Not found', ...err },
        ...(spec.method === 'put'
          ? { 409: { description: 'Changed at the same time by someone else; try again', ...err } }
          : {}),
        429: { description: 'Too many failed sign-ins from this address', ...err },
        503: { description: 'A service this route needs (e.g. Temporal) is not reachable from this process', ...err },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Switchboard admin API', version: '0.1.0' },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { entraId: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}
