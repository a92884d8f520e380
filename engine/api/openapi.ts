import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorSchema } from './errors';

interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  isPublic: boolean;
}

type Json = Record<string, unknown>;

/** What every error answer may carry, by status (the error handler in api-app.ts produces them). */
const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid input; `field` names the offending parameter',
  '401': 'Missing or wrong bearer token',
  '403': 'Host header or Origin not allowed',
  '404': 'Not found',
  '409': 'Conflict',
  '413': 'Body too large',
  '415': 'Unsupported media type',
  '503': 'A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable',
};

const ERROR_REF = { $ref: '#/components/schemas/ErrorBody' } as const;

/** `/v1/users/:user_id` → `/v1/users/{user_id}` */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * Builds the OpenAPI 3.1 document from the schemas of the registered routes:
 * parameters, request bodies, and every response an operation can give — its
 * own 2xx bodies, the errors it declares, and the ones the API's hooks and
 * error handler add to every route (401 unless public, 403 from the Host
 * guard, 400 where input is validated, 413/415 where a body is read, 503 where
 * a backing service is used). Object schemas with a `title` become named
 * components (the generated wire types use those names).
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
      const isPublic = (route.config as { public?: boolean } | undefined)?.public === true;
      for (const m of methods) {
        if (m === 'HEAD' || m === 'OPTIONS') continue;
        this.routes.push({ method: m.toLowerCase(), url: route.url, schema, isPublic });
      }
    });
  }

  /** The documented methods (upper case) of the route a concrete path belongs to; [] when no route matches. */
  methodsOf(path: string): string[] {
    // the document's path item for a URL is its most specific template (`…/sources/simulator` before `…/sources/{source}`)
    let best = -1;
    let out = new Set<string>();
    for (const r of this.routes) {
      const template = openApiPath(r.url);
      const re = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
      if (!re.test(path)) continue;
      const specificity = template.split('/').filter((seg) => seg && !seg.startsWith('{')).length;
      if (specificity > best) [best, out] = [specificity, new Set()];
      if (specificity === best) out.add(r.method.toUpperCase());
    }
    if (out.has('GET')) out.add('HEAD');
    return [...out];
  }

  document(): Json {
    const components: Record<string, Json> = { ErrorBody: { ...errorSchema, title: 'ErrorBody' } };
    const named = (schema: unknown): unknown => hoistTitled(schema, components);
    const paths: Record<string, Record<string, Json>> = {};
    for (const r of this.routes) {
      const path = openApiPath(r.url);
      const s = r.schema;
      const op: Json = {};
      if (s.summary) op.summary = s.summary;
      if (s.description) op.description = s.description;
      if (s.tags) op.tags = s.tags;
      op.operationId = `${r.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;
      const params = parametersOf(s);
      if (params.length) op.parameters = params.map((p) => ({ ...p, schema: named(p.schema) }));
      const body = s.body as Json | undefined;
      if (body) {
        const types = ([] as unknown[]).concat(body.type ?? []);
        op.requestBody = { required: !types.includes('null'), content: { 'application/json': { schema: named(body) } } };
      } else if (s.consumes) {
        const types = s.consumes as string[];
        op.requestBody = {
          required: true,
          // the file itself: any JSON document, or any bytes
          content: Object.fromEntries(types.map((t) => [t, { schema: t === 'application/json' ? {} : { type: 'string', format: 'binary' } }])),
        };
      }
      const produces = (s.produces as string[] | undefined) ?? ['application/json'];
      const responses: Json = {};
      for (const [status, rs] of Object.entries((s.response ?? {}) as Record<string, Json>)) {
        const { description, ...schema } = rs;
        if (!status.startsWith('2')) {
          responses[status] = { description: (description as string | undefined) ?? ERROR_DESCRIPTIONS[status] ?? 'Error', content: { 'application/json': { schema: ERROR_REF } } };
          continue;
        }
        const empty = schema.type === 'null' || Object.keys(schema).length === 0;
        const bodies = (s.responseBodies as Record<string, Json> | undefined) ?? {};
        responses[status] = {
          description: (description as string | undefined) ?? 'OK',
          ...(empty && !Object.keys(bodies).length ? {} : { content: Object.fromEntries(produces.map((t) => [t, { schema: named(bodies[t] ?? schema) }])) }),
        };
      }
      const implied = new Set<string>(['403']);
      if (!r.isPublic) implied.add('401');
      if (params.length || body || s.consumes) implied.add('400');
      if (body || s.consumes) ['413', '415'].forEach((x) => implied.add(x));
      if (s.backing !== false) implied.add('503');
      for (const status of implied) {
        responses[status] ??= { description: ERROR_DESCRIPTIONS[status], content: { 'application/json': { schema: ERROR_REF } } };
      }
      op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
      if (s.security !== undefined) op.security = s.security;
      (paths[path] ??= {})[r.method] = op;
    }
    return {
      openapi: '3.1.0',
      info: this.info,
      components: {
        schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'TOPK_API_TOKEN' } },
      },
      security: [{ bearer: [] }],
      paths,
    };
  }
}

/**
 * Path, query and header parameters. A querystring with `queryObject` set
 * documents the properties it names as one form-exploded object parameter
 * (the same `a=1&b=2` on the wire), so that the constraints between them
 * (`days` or `from`+`to`) can be stated in its schema.
 */
function parametersOf(s: Json): Json[] {
  const params: Json[] = [];
  const group = s.queryObject as { name: string; properties: string[]; description?: string; constraint: Json } | undefined;
  for (const [where, key] of [
    ['path', 'params'],
    ['query', 'querystring'],
    ['header', 'headers'],
  ] as const) {
    const obj = s[key] as Json | undefined;
    const props = (obj?.properties ?? {}) as Record<string, Json>;
    const required = new Set((obj?.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries(props)) {
      if (where === 'query' && group?.properties.includes(name)) continue;
      const { description, docEnum, ...schema } = prop;
      // docEnum: the values the document lists where the handler also accepts equivalent spellings (time zone aliases)
      if (docEnum) schema.enum = docEnum;
      params.push({ name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema });
    }
    if (where === 'query' && group) {
      const picked = Object.fromEntries(group.properties.map((p) => [p, props[p]]).filter(([, v]) => v !== undefined));
      params.push({
        name: group.name,
        in: 'query',
        required: false,
        style: 'form',
        explode: true,
        ...(group.description ? { description: group.description } : {}),
        schema: { type: 'object', properties: picked, additionalProperties: false, ...group.constraint },
      });
    }
  }
  return params;
}

/** Replaces every object schema with a `title` by a `$ref` to components.schemas[title] (first definition wins). */
function hoistTitled(schema: unknown, components: Record<string, Json>): unknown {
  if (Array.isArray(schema)) return schema.map((x) => hoistTitled(x, components));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) out[k] = k === 'items' || k === 'anyOf' || k === 'oneOf' || k === 'allOf' || k === 'additionalProperties' || k === 'not' ? hoistTitled(v, components) : v;
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(out.properties as Json).map(([k, v]) => [k, hoistTitled(v, components)]));
  }
  const title = out.title;
  if (typeof title === 'string' && /^[A-Z][A-Za-z0-9]*$/.test(title)) {
    components[title] ??= out;
    return { $ref: `#/components/schemas/${title}` };
  }
  return out;
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
    /** per media type body of the 2xx answers when `produces` lists several (e.g. JSON and CSV) */
    responseBodies?: Record<string, unknown>;
    /** query properties documented as one form-exploded object parameter with constraints between them */
    queryObject?: { name: string; properties: string[]; description?: string; constraint: Record<string, unknown> };
    /** false: the handler uses no backing service (no 503) */
    backing?: boolean;
    hide?: boolean;
  }
}
