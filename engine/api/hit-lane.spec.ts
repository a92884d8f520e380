import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TopkCache, group } from './cache';
import { HitLane } from './hit-lane';
import { ApiMetrics } from './metrics';
import { makeHostCheck, makeTokenCheck } from './security';

const TOKEN = 'lane-token';
const KEY = 'seed:2026-11-24:2026-11-30:10:alice';
const URL_PATH = '/users/alice/topk?days=7&k=10';
const ROUTE = '/users/:user_id/topk';
const BODY = '{"user_id":"alice","days":7,"k":10,"results":[{"song_id":"é","listen_count":2,"rank":1,"title":null,"artist":null}],"cached":true}';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** The lane in front of a handler that stands for Fastify (answers 599 and counts). */
async function setup(opts: { now?: () => number } = {}) {
  const metrics = new ApiMetrics({ pipelineStats: async () => null, consumerLag: async () => null }, { defaultMetrics: false });
  const cache = new TopkCache({ redis: { status: 'end' } as unknown as Redis, keyspace: 'topk', ttlSeconds: 60, metrics, log: pino({ level: 'silent' }), lruMax: 10 });
  const lane = new HitLane({ cache, metrics, log: pino({ level: 'silent' }), hostAllowed: makeHostCheck([]), tokenOk: makeTokenCheck(TOKEN), now: opts.now ?? Date.now });
  const fallback = { n: 0 };
  server = createServer((req, res) => {
    if (lane.serve(req, res)) return;
    fallback.n++;
    res.writeHead(599).end();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  // node:http rather than fetch, which does not let a caller set Host
  const get = (headers: Record<string, string> = {}, path = URL_PATH, method = 'GET') =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers: { authorization: `Bearer ${TOKEN}`, ...headers } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end();
    });
  /** an answer in the cache whose hit bytes the route has made, and the URL Fastify resolved to it */
  const cacheHit = async () => {
    await cache.set(KEY, { any: 1 }, [group.user('alice')], cache.snapshot([group.user('alice')]));
    (await cache.get(KEY))!.memo.body = BODY;
    lane.remember(URL_PATH, ROUTE, KEY);
  };
  return { cache, lane, metrics, fallback, get, cacheHit };
}

describe('HitLane', () => {
  it('sends the bytes of a remembered hit with the headers of the route, and counts it as Fastify would', async () => {
    const t = await setup();
    await t.cacheHit();
    const res = await t.get();
    expect(res.status).toBe(200);
    expect(res.text).toBe(BODY);
    expect(res.headers['x-cache']).toBe('HIT');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(BODY)));
    expect(t.fallback.n).toBe(0);
    const text = await t.metrics.registry.metrics();
    expect(text).toMatch(/topk_cache_requests_total\{tier="lru"\} 2/); // the get above and the lane's hit
    expect(text).toContain(`topk_http_request_duration_seconds_count{route="${ROUTE}",method="GET",status_code="200"} 1`);
  });

  it('hands a request to Fastify once an invalidation dropped the answer (a counted listen is never hidden)', async () => {
    const t = await setup();
    await t.cacheHit();
    expect((await t.get()).status).toBe(200);
    await t.cache.invalidate(['alice'], { global: false });
    expect((await t.get()).status).toBe(599);
    // a new answer for the key has no bytes until the route makes them
    await t.cache.set(KEY, { any: 2 }, [group.user('alice')], t.cache.snapshot([group.user('alice')]));
    expect((await t.get()).status).toBe(599);
    expect(t.fallback.n).toBe(2);
  });

  it('hands to Fastify what its hooks must judge: unknown URLs, other methods, bad token or host, Origin, Cache-Control', async () => {
    const t = await setup();
    await t.cacheHit();
    expect((await t.get({}, '/users/alice/topk?days=7&k=11')).status).toBe(599);
    expect((await t.get({}, URL_PATH, 'DELETE')).status).toBe(599);
    expect((await t.get({ authorization: 'Bearer wrong' })).status).toBe(599);
    expect((await t.get({ authorization: '' })).status).toBe(599);
    expect((await t.get({ host: 'evil.example' })).status).toBe(599);
    expect((await t.get({ origin: 'http://127.0.0.1:7800' })).status).toBe(599);
    expect((await t.get({ 'cache-control': 'no-cache' })).status).toBe(599);
    expect(t.fallback.n).toBe(7);
    expect((await t.get()).status).toBe(200);
  });

  it('forgets a URL at 00:00 UTC (a days window names other days then) and when the server closes', async () => {
    let now = Date.parse('2026-11-30T23:59:59.000Z');
    const t = await setup({ now: () => now });
    await t.cacheHit();
    expect((await t.get()).status).toBe(200);
    now = Date.parse('2026-12-01T00:00:00.000Z');
    expect((await t.get()).status).toBe(599);
    t.lane.remember(URL_PATH, ROUTE, KEY);
    expect((await t.get()).status).toBe(200);
    t.lane.close();
    expect((await t.get()).status).toBe(599);
  });
});
