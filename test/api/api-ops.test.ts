import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createCassandra } from '../../engine/shared/cassandra';
import { createApiServer } from '../../engine/api/server';
import type { ApiServer } from '../../engine/api/server';
import { RankedSets } from '../../engine/shared/ranked-sets';
import { apiServer, CQL_DIR, quietLog, uid, useApiTestClients, writeListens } from './helpers';
import { redisNames } from '../../engine/shared/stats';
import { quietPorts } from '../helpers/free-port';
import { until } from '../helpers/until';

const t = useApiTestClients({ TOPK_ALLOWED_HOSTS: 'topk.example.org,api.example.net:9443' });
let server: ApiServer;
const auth = () => ({ authorization: `Bearer ${t.config.apiToken}` });

beforeAll(async () => {
  server = await apiServer(t);
});

afterAll(() => server?.close());

describe('auth', () => {
  it.each([
    ['no header', {}],
    ['wrong token', { authorization: 'Bearer nope' }],
    ['token prefix', { authorization: 'Bearer test-token' }],
    ['other scheme', { authorization: 'Basic abc' }],
    ['token without scheme', { authorization: 'x' }],
  ])('401 JSON for %s', async (_name, headers: Record<string, string>) => {
    for (const url of ['/users/u1/topk', '/v1/pipeline', '/metrics', '/openapi.json', '/v1/nothing-here']) {
      const res = await server.app.inject({ url, headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'unauthorized' } });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('healthz and readyz need no token', async () => {
    const h = await server.app.inject({ url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect(h.json().status).toBe('ok');
    // readiness follows the clients' connections, which a loaded machine may still be opening right after start
    const r = await until('readyz 200', async () => {
      const res = await server.app.inject({ url: '/readyz' });
      return res.statusCode === 200 ? res : undefined;
    }, 15_000, 100);
    expect(r.json()).toMatchObject({ status: 'ready', checks: { cassandra: { ok: true }, migrations: { ok: true }, redis: { ok: true }, kafka: { ok: true } } });
  });
});

describe('host guard and CORS', () => {
  it.each(['127.0.0.1:8080', 'localhost', 'LOCALHOST:1', '[::1]:8080', '127.0.0.1', 'topk.example.org:8080', 'api.example.net:9443'])('accepts Host %s', async (host) => {
    const res = await server.app.inject({ url: '/healthz', headers: { host } });
    expect(res.statusCode).toBe(200);
  });

  it.each(['evil.example.com', 'evil.example.com:8080', '127.0.0.1.evil.com', 'localhost.evil.com:80', 'api.example.net:8080', '10.0.0.1:8080'])(
    'rejects Host %s with 403 JSON, even with the token',
    async (host) => {
      const res = await server.app.inject({ url: '/users/u1/topk', headers: { host, ...auth() } });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden_host');
    },
  );

  it('allows the control server origin only', async () => {
    for (const origin of [`http://127.0.0.1:${t.config.port}`, `http://localhost:${t.config.port}`]) {
      const pre = await server.app.inject({
        method: 'OPTIONS',
        url: '/users/u1/topk',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(origin);
      expect(String(pre.headers['access-control-allow-headers'])).toMatch(/Authorization/);
      const get = await server.app.inject({ url: '/users/u1/topk', headers: { origin, ...auth() } });
      expect(get.headers['access-control-allow-origin']).toBe(origin);
    }
    const evil = 'http://evil.example.com';
    const pre = await server.app.inject({ method: 'OPTIONS', url: '/users/u1/topk', headers: { origin: evil, 'access-control-request-method': 'GET' } });
    expect(pre.statusCode).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const get = await server.app.inject({ url: '/users/u1/topk', headers: { origin: evil, ...auth() } });
    expect(get.statusCode).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    const otherPort = await server.app.inject({ url: '/users/u1/topk', headers: { origin: `http://127.0.0.1:${t.config.port + 1}`, ...auth() } });
    expect(otherPort.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('errors', () => {
  it('unknown route → 404 JSON', async () => {
    const res = await server.app.inject({ url: '/v1/nothing/here', headers: auth() });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('body too large → 413 JSON, bad JSON → 400 JSON', async () => {
    const big = await server.app.inject({
      method: 'PUT',
      url: '/v1/users/big',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: JSON.stringify({ display_name: 'x'.repeat(100_000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('body_too_large');
    const bad = await server.app.inject({ method: 'PUT', url: '/v1/users/bad', headers: { ...auth(), 'content-type': 'application/json' }, payload: '{"display_name":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid_json', field: 'body' });
    expect(bad.body).not.toMatch(/at .*\.js|node_modules|stack/i);
  });
});

describe('openapi', () => {
  it('documents every route with the bearer scheme', async () => {
    const res = await server.app.inject({ url: '/openapi.json', headers: auth() });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ops = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) for (const m of Object.keys(methods)) ops.add(`${m.toUpperCase()} ${path}`);
    for (const route of server.app.printRoutes({ commonPrefix: false }).split('\n')) void route;
    const expected = [
      'GET /users/{user_id}/topk',
      'GET /v1/users/{user_id}/top/{kind}',
      'GET /v1/top/{kind}',
      'GET /v1/users/{user_id}/friends/top/{kind}',
      'GET /v1/users/{user_id}/listens',
      'PUT /v1/users/{user_id}',
      'GET /v1/users/{user_id}',
      'GET /v1/users',
      'DELETE /v1/users/{user_id}',
      'GET /v1/users/{user_id}/export',
      'PUT /v1/users/{user_id}/sources/listenbrainz',
      'PUT /v1/users/{user_id}/sources/simulator',
      'PUT /v1/users/{user_id}/sources/lastfm',
      'GET /v1/users/{user_id}/sources',
      'DELETE /v1/users/{user_id}/sources/listenbrainz',
      'DELETE /v1/users/{user_id}/sources/simulator',
      'DELETE /v1/users/{user_id}/sources/lastfm',
      'PATCH /v1/users/{user_id}/sources/{source}/schedule',
      'POST /v1/users/{user_id}/crawls',
      'POST /v1/users/{user_id}/sources/{source}/crawls',
      'GET /v1/users/{user_id}/crawls',
      'GET /v1/crawls/{crawl_id}',
      'POST /v1/users/{user_id}/imports',
      'GET /v1/pipeline',
      'GET /v1/events',
      'GET /v1/users/{user_id}/top/{kind}/movement',
      'GET /v1/users/{user_id}/friends/top/{kind}/movement',
      'GET /v1/top/{kind}/movement',
      'GET /v1/users/{user_id}/activity',
      'GET /v1/users/{user_id}/heatmap',
      'GET /v1/users/{user_id}/discoveries',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /openapi.json',
    ];
    expect([...ops].sort()).toEqual(expected.sort());
    const seed = doc.paths['/users/{user_id}/topk'].get;
    expect(seed.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['path:user_id', 'query:days', 'query:k']));
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/v1/top/{kind}'].get.description).toMatch(/exact/i);
    // every operation lists its answers: 2xx bodies and the error statuses with the error body
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>)) {
      for (const [method, op] of Object.entries(methods)) {
        const statuses = Object.keys(op.responses);
        expect(statuses.some((st) => st.startsWith('2')), `${method} ${path}`).toBe(true);
        expect(statuses, `${method} ${path}`).toContain('403');
        if (path !== '/healthz' && path !== '/readyz') expect(op.responses['401']?.content?.['application/json']?.schema, `${method} ${path}`).toEqual({ $ref: '#/components/schemas/ErrorBody' });
      }
    }
    const window = doc.paths['/v1/top/{kind}'].get.parameters.find((p: { name: string }) => p.name === 'window');
    expect(window).toMatchObject({ in: 'query', style: 'form', explode: true });
    expect(Object.keys(window.schema.properties).sort()).toEqual(['days', 'from', 'to']);
    // CONTRACT.md: `PUT /v1/users/{user_id}` `{ "display_name"? }`; a PUT without a body creates the user too
    expect(doc.paths['/v1/users/{user_id}'].put.requestBody.required).toBe(false);
  });

  it('answers 405 with Allow for a method a path does not serve, 404 for a path it does not know', async () => {
    const trace = await server.app.inject({ method: 'TRACE' as 'GET', url: '/readyz', headers: auth() });
    expect(trace.statusCode).toBe(405);
    expect(trace.headers.allow).toBe('GET, HEAD');
    expect(trace.json().error.code).toBe('method_not_allowed');
    const del = await server.app.inject({ method: 'DELETE', url: '/v1/pipeline', headers: auth() });
    expect(del.statusCode).toBe(405);
    expect((await server.app.inject({ url: '/v1/nothing-here', headers: auth() })).statusCode).toBe(404);
  });

  it('a path parameter longer than the router takes is a 400 naming the path, not an undocumented 414', async () => {
    const res = await server.app.inject({ method: 'DELETE', url: `/v1/users/${'x'.repeat(300)}/sources/listenbrainz`, headers: auth() });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'path_too_long', field: 'path' });
  });

  it('PUT /v1/users/{user_id} takes no body or a JSON object, nothing else; days and from/to together are refused', async () => {
    const none = await server.app.inject({ method: 'PUT', url: '/v1/users/no-body', headers: auth() });
    expect(none.statusCode).toBe(201);
    const notObject = await server.app.inject({ method: 'PUT', url: '/v1/users/no-body', headers: { ...auth(), 'content-type': 'application/json' }, payload: '[1]' });
    expect(notObject.statusCode).toBe(400);
    expect(notObject.json().error.field).toBe('body');
    const both = await server.app.inject({ url: '/v1/top/tracks?days=2&from=2026-01-01&to=2026-01-02', headers: auth() });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.field).toBe('days');
    const long = await server.app.inject({ url: '/v1/top/tracks?from=0001-01-01&to=9999-12-31', headers: auth() });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.message).toMatch(/spans 3652059 days/);
  });
});

describe('/v1/pipeline and /metrics', () => {
  it('reports consumer lag per partition from Kafka', async () => {
    const admin = t.kafka.admin();
    await admin.connect();
    const producer = t.kafka.producer();
    await producer.connect();
    try {
      await admin.createTopics({ topics: [{ topic: t.config.listensTopic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
      await producer.send({ topic: t.config.listensTopic, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `a${i}` })) });
      await producer.send({ topic: t.config.listensTopic, messages: Array.from({ length: 3 }, (_, i) => ({ partition: 1, value: `b${i}` })) });
      await admin.setOffsets({ groupId: t.config.consumerGroup, topic: t.config.listensTopic, partitions: [{ partition: 0, offset: '2' }] });
      const res = await server.app.inject({ url: '/v1/pipeline', headers: auth() });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        consumer_lag: 6,
        topic_exists: true,
        topic: t.config.listensTopic,
        group: t.config.consumerGroup,
        partitions: [
          { partition: 0, committed: 2, end: 5, lag: 3 },
          { partition: 1, committed: -1, end: 3, lag: 3 },
        ],
      });
      for (const f of ['listens_ingested', 'duplicates_dropped', 'dlq_total', 'crawls_done', 'crawls_failed']) expect(typeof body[f]).toBe('number');
      const m = await server.app.inject({ url: '/metrics', headers: auth() });
      expect(m.statusCode).toBe(200);
      expect(m.headers['content-type']).toMatch(/text\/plain/);
      expect(m.body).toMatch(/topk_consumer_lag\{partition="0"\} 3/);
      expect(m.body).toMatch(/topk_pipeline_stat\{stat="listens_ingested"\} \d+/);
      expect(m.body).toMatch(/topk_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/pipeline"[^}]*\}/);
    } finally {
      await admin.deleteTopics({ topics: [t.config.listensTopic] }).catch(() => undefined);
      await admin.deleteGroups([t.config.consumerGroup]).catch(() => undefined);
      await producer.disconnect();
      await admin.disconnect();
    }
  }, 60_000);
});

describe('Redis down', () => {
  let redisProc: ChildProcess | undefined;
  let port = 0;
  let privRedis: Redis | undefined;
  let srv: ApiServer | undefined;

  afterAll(async () => {
    await srv?.close();
    privRedis?.disconnect();
    redisProc?.kill('SIGKILL');
  });

  it('still answers 200 from Cassandra, counts it, and readyz says redis', async () => {
    port = await quietPorts();
    redisProc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    privRedis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 200, lazyConnect: false });
    privRedis.on('error', () => undefined);
    for (let i = 0; i < 50 && privRedis.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(privRedis.status).toBe('ready');
    await privRedis.hset(redisNames(t.config.keyspace).stats, 'listens_ingested', '42', 'dlq_total', '3');
    const cfg = { ...t.config, redisUrl: `redis://127.0.0.1:${port}` };
    srv = await createApiServer({ config: cfg, log: quietLog, cassandra: t.db, redis: privRedis, kafka: t.kafka, cqlDir: CQL_DIR });

    const u = uid('nored');
    await writeListens(t.db, [{ user_id: u, listened_at: Date.now() - 1000, song_id: 's1', title: 'T', artist: 'A' }], new RankedSets(t.redis, t.config.keyspace));
    const m0 = await srv.app.inject({ url: '/metrics', headers: auth() });
    expect(m0.body).toMatch(/topk_pipeline_stat\{stat="listens_ingested"\} 42/);
    expect((await srv.app.inject({ url: `/users/${u}/topk`, headers: auth() })).headers['x-cache']).toBe('MISS');
    expect((await srv.app.inject({ url: `/users/${u}/topk`, headers: auth() })).headers['x-cache']).toBe('HIT');

    redisProc.kill('SIGKILL');
    for (let i = 0; i < 50 && privRedis.status === 'ready'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(privRedis.status).not.toBe('ready');

    const u2 = uid('nored2');
    await writeListens(t.db, [
      { user_id: u2, listened_at: Date.now() - 2000, song_id: 's2', title: 'T2', artist: 'A2' },
      { user_id: u2, listened_at: Date.now() - 1000, song_id: 's2', title: 'T2', artist: 'A2' },
    ], new RankedSets(t.redis, t.config.keyspace));
    const t0 = Date.now();
    const res = await srv.app.inject({ url: `/users/${u2}/topk?days=1`, headers: auth() });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([{ song_id: 's2', listen_count: 2, rank: 1, title: 'T2', artist: 'A2' }]);
    const tracks = await srv.app.inject({ url: `/v1/users/${u2}/top/tracks`, headers: auth() });
    expect(tracks.statusCode).toBe(200);
    // artists fall back to grouping every counter of the window by the tracks' artist, as exact
    const artists = await srv.app.inject({ url: `/v1/users/${u2}/top/artists?cache=bypass`, headers: auth() });
    expect(artists.statusCode).toBe(200);
    expect(artists.json()).toMatchObject({ total: 1, results: [{ rank: 1, artist: 'A2', listen_count: 2, track_count: 1 }] });
    const m = await srv.app.inject({ url: '/metrics', headers: auth() });
    expect(m.body).toMatch(/topk_cache_redis_unavailable_total\{op="get"\} [1-9]/);
    const ready = await srv.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.redis.ok).toBe(false);
    expect(ready.json().checks.cassandra.ok).toBe(true);
    const pipe = await srv.app.inject({ url: '/v1/pipeline', headers: auth() });
    expect(pipe.statusCode).toBe(200);
    expect(pipe.json()).toMatchObject({ stats_available: false, topic_exists: false, consumer_lag: 0, partitions: [] });
  }, 60_000);
});

describe('migrations pending', () => {
  it('readyz is 503 naming migrations when the keyspace lacks them', async () => {
    const ks = `${t.config.keyspace}_empty`;
    await t.db.execute(`CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    const cfg = { ...t.config, keyspace: ks };
    const emptyDb = createCassandra(cfg, quietLog);
    const srv = await createApiServer({ config: cfg, log: quietLog, cassandra: emptyDb, redis: t.redis, kafka: t.kafka, cqlDir: CQL_DIR });
    try {
      const res = await srv.app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks).toMatchObject({ cassandra: { ok: true }, migrations: { ok: false } });
      expect(res.json().checks.migrations.error).toMatch(/not migrated/);
    } finally {
      await srv.close();
      await emptyDb.shutdown();
      await t.db.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
    }
  }, 60_000);
});

describe('Cassandra unreachable', () => {
  it('readyz is 503 naming cassandra; data routes answer 503 JSON without internals', async () => {
    const port = await quietPorts();
    const cfg = { ...t.config, cassandraContactPoints: [`127.0.0.1:${port}`] };
    const deadDb = createCassandra(cfg, quietLog);
    const srv = await createApiServer({ config: cfg, log: quietLog, cassandra: deadDb, redis: t.redis, kafka: t.kafka, cqlDir: CQL_DIR });
    try {
      const res = await srv.app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not_ready', checks: { cassandra: { ok: false }, redis: { ok: true } } });
      expect(res.json().checks.cassandra.error).toBeTruthy();
      const top = await srv.app.inject({ url: `/users/${uid('x')}/topk?cache=bypass`, headers: auth() });
      expect(top.statusCode).toBe(503);
      expect(top.json().error.code).toBe('unavailable');
      expect(top.body).not.toMatch(/127\.0\.0\.1|NoHostAvailable|at /);
    } finally {
      await srv.close();
      await deadDb.shutdown().catch(() => undefined);
    }
  }, 60_000);
});
