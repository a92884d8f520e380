/**
 * Property-based bad input over every route of the engine API, read from the
 * OpenAPI document of the server factory (in-process, real Cassandra, Redis,
 * Kafka and crawl service): path parameters, query strings and bodies of any
 * shape. Never a 5xx, always the JSON error shape, and a `field` on every 400.
 * Plus imports: a truncated upload is reported failed, never done.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../engine/api/server';
import type { Config } from '../../engine/shared/config';
import { startApiTestServer } from '../helpers/api-test-server';
import type { ApiTestServer } from '../helpers/api-test-server';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

let api: ApiTestServer;
let config: Config;
let server: ApiServer;
interface Op {
  method: string;
  path: string;
  params: Array<{ name: string; in: string; schema?: Record<string, unknown> }>;
  hasBody: boolean;
}
let ops: Op[] = [];
const auth = () => ({ authorization: `Bearer ${config.apiToken}` });
/** Percent-encodes every UTF-8 byte (lone surrogates become U+FFFD, as a browser would send them). */
const pct = (s: string): string => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

beforeAll(async () => {
  api = await startApiTestServer({ name: 'fuzz' });
  ({ config, server } = api);
  const res = await server.app.inject({ url: '/openapi.json', headers: auth() });
  expect(res.statusCode).toBe(200);
  const doc = res.json() as { paths: Record<string, Record<string, { parameters?: Op['params']; requestBody?: unknown }>> };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
      // a form-exploded object parameter (the Top-K window) travels as its properties
      const params = (op.parameters ?? []).flatMap((p) =>
        p.in === 'query' && p.schema?.type === 'object' ? Object.entries((p.schema.properties ?? {}) as Record<string, Record<string, unknown>>).map(([name, schema]) => ({ name, in: 'query', schema })) : [p],
      );
      for (const m of path.matchAll(/\{([^}]+)\}/g)) if (!params.some((p) => p.name === m[1] && p.in === 'path')) params.push({ name: m[1]!, in: 'path' });
      ops.push({ method: method.toUpperCase(), path, params, hasBody: op.requestBody !== undefined || ['PUT', 'POST', 'PATCH'].includes(method.toUpperCase()) });
    }
  }
  ops = ops.filter((o) => !o.path.includes('/events')); // SSE streams never end; covered by their own tests
}, 180_000);

afterAll(async () => {
  await api?.close();
}, 120_000);

/** Strings that break naive code: control chars, traversal, unicode, huge, numbers, CQL/JSON syntax. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '..', '../..', '%00', '\u0000', '\uFFFF', "'; DROP TABLE users; --", '{}', '[]', 'null', 'NaN', '-1', '0', '1e309', '9'.repeat(40), 'a'.repeat(5000), '\ud800', '💥'.repeat(50)),
  fc.integer().map(String),
  fc.double().map(String),
);
/** JSON values of any shape for bodies. */
const body = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.object({ maxDepth: 2 }), fc.record({ interval_seconds: fc.jsonValue(), paused: fc.jsonValue(), source: nasty, seed: fc.jsonValue(), listens_per_day: fc.jsonValue(), username: fc.jsonValue(), display_name: fc.jsonValue() }, { requiredKeys: [] }));
const rawBody = fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('{', '{"a":', '[1,2', 'null', '"str"', '\u0000\u0001', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}'));

function checkResponse(op: Op, res: { statusCode: number; headers: Record<string, unknown>; body: string }): void {
  const what = `${op.method} ${op.path} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, what).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(String(res.headers['content-type']), what).toMatch(/application\/json/);
    const b = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
    expect(typeof b.error?.code, what).toBe('string');
    expect(typeof b.error?.message, what).toBe('string');
    if (res.statusCode === 400) expect(typeof b.error?.field, what).toBe('string');
  }
}

describe('every API route under arbitrary parameters and bodies', () => {
  it('read the routes from /openapi.json', () => {
    expect(ops.length).toBeGreaterThan(10);
  });

  it('never a 5xx; errors are {error:{code,message,field}}', async () => {
    for (const op of ops) {
      const query = op.params.filter((p) => p.in === 'query');
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...op.params.filter((p) => p.in === 'path').map((p) => p.name), '_'), nasty),
          fc.array(fc.tuple(query.length ? fc.oneof(fc.constantFrom(...query.map((p) => p.name)), nasty) : nasty, nasty), { maxLength: 4 }),
          fc.option(fc.oneof(body.map((b) => ({ json: b })), rawBody.map((r) => ({ raw: r }))), { nil: undefined }),
          fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream'),
          async (pathVals, qs, b, contentType) => {
            const url =
              op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => pct(pathVals[name] ?? 'u-fuzz') || 'x') +
              (qs.length ? '?' + qs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&') : '');
            const headers: Record<string, string> = { ...auth() };
            let payload: string | undefined;
            if (op.hasBody && b !== undefined) {
              headers['content-type'] = 'json' in b ? 'application/json' : contentType;
              payload = 'json' in b ? JSON.stringify(b.json) : b.raw;
            }
            const res = await server.app.inject({ method: op.method as 'GET', url, headers, payload });
            checkResponse(op, res);
          },
        ),
        { numRuns: RUNS },
      );
    }
  }, 600_000);

  it('imports: arbitrary uploads never 5xx; a truncated JSON array is reported failed, never done', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        const res = await server.app.inject({ method: 'POST', url: '/v1/users/u-fuzz-import/imports', headers: { ...auth(), 'content-type': 'application/octet-stream' }, payload: Buffer.from(bytes) });
        checkResponse({ method: 'POST', path: '/v1/users/{user_id}/imports', params: [], hasBody: true }, res);
      }),
      { numRuns: RUNS },
    );
    const now = Math.floor(Date.now() / 1000);
    const entries = Array.from({ length: 50 }, (_, i) => ({ listened_at: now - 3600 - i * 200, track_metadata: { artist_name: `A${i}`, track_name: `T${i}` } }));
    const text = JSON.stringify(entries);
    for (const cut of [text.length - 1, Math.floor(text.length / 2), text.lastIndexOf('},') + 2]) {
      const res = await server.app.inject({ method: 'POST', url: '/v1/users/u-fuzz-trunc/imports?filename=listens.json', headers: { ...auth(), 'content-type': 'application/json' }, payload: text.slice(0, cut) });
      expect(res.statusCode).toBeLessThan(500);
      const report = res.json() as { state: string; error?: string; listens_accepted: number };
      expect(report.state, `cut at ${cut}: ${res.body}`).toBe('failed');
      expect(report.error).toMatch(/truncated/);
    }
    const full = await server.app.inject({ method: 'POST', url: '/v1/users/u-fuzz-trunc/imports?filename=listens.json', headers: { ...auth(), 'content-type': 'application/json' }, payload: text });
    expect(full.json()).toMatchObject({ state: 'done', listens_accepted: 50, skipped: 0 });
  }, 300_000);
});
