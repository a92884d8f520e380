import type { FastifyInstance, RouteOptions } from 'fastify';

interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/**
 * Builds the OpenAPI 3.1 document from the schemas of the registered routes.
 * Call `attach(app)` before routes are registered (it listens on onRoute).
 */
export class OpenApiCollector {
  private readonly routes: CollectedRoute[] = [];

  constructor(private readonly info: { title: string; version: string; description: string }) {}

  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const schema = (route.schema ?? {}) as Json;
      if (schema.hide === true) return;
      for (const m of methods) {
        if (m === 'HEAD' || m === 'OPTIONS') continue;
        this.routes.push({ method: m.toLowerCase(), url: route.url, schema });
      }
    });
  }

  document(): Json {
    const paths: Record<string, Record<string, Json>> = {};
    for (const r of this.routes) {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const op: Json = {};
      const s = r.schema;
      if (s.summary) op.summary = s.summary;
      if (s.description) op.description = s.description;
      if (s.tags) op.tags = s.tags;
      op.operationId = `${r.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;
      const params: Json[] = [];
      for (const [where, key] of [
        ['path', 'params'],
        ['query', 'querystring'],
        ['header', 'headers'],
      ] as const) {
        const obj = s[key] as Json | undefined;
        const props = (obj?.properties ?? {}) as Record<string, Json>;
        const required = new Set((obj?.required as string[] | undefined) ?? []);
        for (const [name, prop] of Object.entries(props)) {
          const { description, ...schema } = prop;
          params.push({ name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema });
        }
      }
      if (params.length) op.parameters = params;
      if (s.body) {
        op.requestBody = { required: true, content: { 'application/json': { schema: s.body } } };
      } else if (s.consumes) {
        const types = s.consumes as string[];
        op.requestBody = {
          required: true,
          content: Object.fromEntries(types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
        };
      }
      const responses: Json = {};
      for (const [status, rs] of Object.entries((s.response ?? {}) as Record<string, Json>)) {
        const { description, ...schema } = rs;
        const produces = (s.produces as string[] | undefined) ?? ['application/json'];
        responses[status] = {
          description: (description as string | undefined) ?? (status.startsWith('2') ? 'OK' : 'Error'),
          ...(Object.keys(schema).length ? { content: Object.fromEntries(produces.map((t) => [t, { schema }])) } : {}),
        };
      }
      if (!Object.keys(responses).length) responses['200'] = { description: 'OK' };
      if (s.security !== undefined) op.security = s.security;
      (paths[path] ??= {})[r.method] = op;
    }
    return {
      openapi: '3.1.0',
      info: this.info,
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'TOPK_API_TOKEN' } },
      },
      security: [{ bearer: [] }],
      paths,
    };
  }
}

declare module 'fastify' {
  /** OpenAPI-only keys; Fastify ignores them when compiling validators. */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    security?: Array<Record<string, string[]>>;
    consumes?: string[];
    produces?: string[];
    hide?: boolean;
  }
}
