/**
 * GET /v1/events end to end: the real API on real Redis/Cassandra/Kafka, an
 * invalidation published the way the aggregator publishes it, the event read
 * through the control server's API proxy (streamed, not buffered), bearer auth.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisNames } from '../../engine/shared/stats';
import type { ApiServer } from '../../engine/api/server';
import { createApiProxy } from '../../main/control/api-proxy';
import { apiServer, uid, useApiTestClients } from './helpers';

const t = useApiTestClients();
let server: ApiServer;
let apiUrl: string;
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  server = await apiServer(t);
  apiUrl = await server.listen(0);
  const port = Number(new URL(apiUrl).port);
  const forward = createApiProxy({ host: '127.0.0.1', port, token: t.config.apiToken });
  proxy = createServer((req, res) => forward(req, res, new URL(req.url ?? '/', 'http://localhost')));
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await server?.close();
});

/** Read `changed` events from an SSE response until `enough` says so. */
async function readEvents(res: Response, enough: (events: Array<{ users: string[] }>) => boolean, timeoutMs = 20_000): Promise<Array<{ users: string[]; global: boolean; seq: number }>> {
  const reader = res.body!.getReader();
  const events: Array<{ users: string[]; global: boolean; seq: number }> = [];
  let buf = '';
  const deadline = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    while (!enough(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (/^event: changed$/m.test(frame)) events.push(JSON.parse(frame.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
      }
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => undefined);
  }
  return events;
}

describe('GET /v1/events', () => {
  it('needs the bearer token', async () => {
    const res = await fetch(`${apiUrl}/v1/events`);
    expect(res.status).toBe(401);
    await res.arrayBuffer();
  });

  it('streams which users changed, through the control proxy, as the aggregator announces counted batches', async () => {
    const a = uid('ev-a');
    const b = uid('ev-b');
    const ac = new AbortController();
    const res = await fetch(`${proxyUrl}/api/v1/events`, { signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const got = readEvents(res, (e) => e.some((x) => x.users.includes(b)));
    // the subscription is live once the stream is open; give the proxy a moment to have forwarded the request
    await new Promise((r) => setTimeout(r, 200));
    const channel = redisNames(t.config.keyspace).invalidate;
    await t.redis.publish(channel, JSON.stringify({ users: [a], days: [] }));
    await new Promise((r) => setTimeout(r, 300));
    await t.redis.publish(channel, JSON.stringify({ users: [b], days: [] }));
    const events = await got;
    ac.abort();
    const users = events.flatMap((e) => e.users);
    expect(users).toContain(a);
    expect(users).toContain(b);
    expect(events.every((e) => e.global)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((x, y) => x - y));
  });

  it('ends open streams when the server closes', async () => {
    const other = await apiServer(t);
    const url = await other.listen(0);
    const res = await fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${t.config.apiToken}` } });
    expect(res.status).toBe(200);
    const t0 = Date.now();
    await other.close();
    expect(Date.now() - t0).toBeLessThan(5000);
    const text = await res.text();
    expect(text).toContain(': connected');
  });
});
