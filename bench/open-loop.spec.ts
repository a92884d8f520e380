import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runOpenLoop } from './open-loop';

const ANSWER = { results: [{ song_id: 's1', listen_count: 5, rank: 1 }, { song_id: 's2', listen_count: 3, rank: 2 }] };
const EXPECTED = [
  { song_id: 's1', listen_count: 5 },
  { song_id: 's2', listen_count: 3 },
];

/** A raw TCP server: `respond(n, socket)` answers the n-th request (0-based, over all connections) as it likes. */
async function rawServer(respond: (n: number, socket: net.Socket) => void): Promise<{ server: net.Server; url: string; connections: () => number }> {
  let n = 0;
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let buf = '';
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        buf = buf.slice(end + 4);
        respond(n++, socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

/** Write `text` a few bytes at a time, each piece in its own write a moment after the last. */
function trickle(socket: net.Socket, text: string, size: number): void {
  const bytes = Buffer.from(text, 'latin1');
  let at = 0;
  const step = (): void => {
    if (socket.destroyed) return;
    socket.write(bytes.subarray(at, at + size));
    at += size;
    if (at < bytes.length) setTimeout(step, 1);
  };
  step();
}

describe('open-loop load', () => {
  const servers: Array<http.Server | net.Server> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('measures from each request’s scheduled time, so a queue behind a slow server shows in the latency', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const server = http.createServer((req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(req.headers.authorization === 'Bearer t' ? 200 : 401).end('{}');
      }, 50);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // 40 requests offered in 1 s to one connection that serves 20 per second: the last waits ~1 s
    const r = await runOpenLoop({ url, token: 't', users: [], extraQuery: '', routes: [{ kind: 'x', path: '/a' }], connections: 1, seconds: 1, rate: 40 });
    expect(r.requests).toBe(40);
    expect(r.non2xx).toBe(0);
    expect(r.offered_rate).toBe(40);
    expect(maxInFlight).toBe(1);
    expect(r.connections_opened).toBe(1);
    // requests waited for the one connection, in order; their wait is in the latency
    expect(r.max_queued).toBeGreaterThan(10);
    expect(r.p50_ms).toBeGreaterThan(200);
    expect(r.max_ms).toBeGreaterThan(800);
    expect(r.by_kind.x!.requests).toBe(40);
    expect(r.generator_cpu_us_per_request).toBeGreaterThan(0);
  });

  it('sends the Host and bearer headers, reads Content-Length and chunked answers and their statuses, and checks sampled answers', async () => {
    const seen: Array<{ host?: string; authorization?: string; connection?: string }> = [];
    const server = http.createServer((req, res) => {
      seen.push({ host: req.headers.host, authorization: req.headers.authorization, connection: req.headers.connection });
      if (req.url === '/length') res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(JSON.stringify(ANSWER)) }).end(JSON.stringify(ANSWER));
      else if (req.url === '/chunked') {
        // no length: Node sends it chunked, one chunk per write
        const text = JSON.stringify(ANSWER);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(text.slice(0, 7));
        setTimeout(() => res.end(text.slice(7)), 2);
      } else if (req.url === '/wrong') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: [ANSWER.results[1]] }));
      else res.writeHead(404).end('not here');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const routes = [
      { kind: 'length', path: '/length', expect: EXPECTED },
      { kind: 'chunked', path: '/chunked', expect: EXPECTED },
      { kind: 'wrong', path: '/wrong', expect: EXPECTED },
      { kind: 'missing', path: '/missing' },
    ];
    const r = await runOpenLoop({ url: `http://127.0.0.1:${port}`, token: 'tok', users: [], extraQuery: '', routes, connections: 4, seconds: 1, rate: 200 });
    expect(r.requests).toBe(200);
    expect(r.errors).toBe(0);
    expect(r.status_codes).toEqual({ 200: 150, 404: 50 });
    expect(r.non2xx).toBe(50);
    expect(r.by_kind.missing).toMatchObject({ requests: 50, non2xx: 50 });
    expect(r.by_kind.chunked).toMatchObject({ requests: 50, non2xx: 0 });
    expect(r.connections_opened).toBeLessThanOrEqual(4);
    expect(seen).toHaveLength(200);
    for (const h of seen) expect(h).toEqual({ host: `127.0.0.1:${port}`, authorization: 'Bearer tok', connection: 'keep-alive' });
    // sampled: each checked route's first request (0, 1, 2), then every 101st (101 = /chunked, 202 past the end)
    expect(r.answers_checked).toEqual({ checked: 4, exact: 3, differences: ['/wrong: 1 results, expected 2'] });
  });

  it('reads answers that arrive a few bytes at a time, on one keep-alive connection', async () => {
    const text = JSON.stringify(ANSWER);
    const { server, url, connections } = await rawServer((n, socket) => {
      const response = n % 2
        ? `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n${text}`
        : `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${(5).toString(16)}\r\n${text.slice(0, 5)}\r\n${(text.length - 5).toString(16)}\r\n${text.slice(5)}\r\n0\r\n\r\n`;
      trickle(socket, response, 3);
    });
    servers.push(server);
    const r = await runOpenLoop({ url, token: 't', users: [], extraQuery: '', routes: [{ kind: 'x', path: '/x', expect: EXPECTED }], connections: 1, seconds: 1, rate: 10 });
    expect(r.requests).toBe(10);
    expect(r.errors).toBe(0);
    expect(r.status_codes).toEqual({ 200: 10 });
    expect(connections()).toBe(1);
    expect(r.answers_checked).toEqual({ checked: 1, exact: 1, differences: [] });
  });

  it('a connection closed in the middle of an answer counts as an error, and the next request opens a new one', async () => {
    const text = JSON.stringify(ANSWER);
    const full = `HTTP/1.1 200 OK\r\nContent-Length: ${text.length}\r\n\r\n${text}`;
    const { server, url, connections } = await rawServer((n, socket) => {
      if (n === 3) {
        socket.write(full.slice(0, full.length - 4));
        setTimeout(() => socket.destroy(), 5);
      } else socket.write(full);
    });
    servers.push(server);
    const r = await runOpenLoop({ url, token: 't', users: [], extraQuery: '', routes: [{ kind: 'x', path: '/x' }], connections: 1, seconds: 1, rate: 10 });
    expect(r.requests).toBe(9);
    expect(r.errors).toBe(1);
    expect(r.error_kinds).toEqual({ closed: 1 });
    expect(r.status_codes).toEqual({ 200: 9 });
    expect(r.connections_opened).toBe(2);
    expect(connections()).toBe(2);
  });

  it('a request without an answer times out and its connection is replaced', async () => {
    const { server, url } = await rawServer((n, socket) => {
      if (n !== 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
    });
    servers.push(server);
    const r = await runOpenLoop({ url, token: 't', users: [], extraQuery: '', routes: [{ kind: 'x', path: '/x' }], connections: 2, seconds: 1, rate: 10, timeoutSeconds: 0.3 });
    expect(r.requests).toBe(9);
    expect(r.timeouts).toBe(1);
    expect(r.error_kinds).toEqual({ timeout: 1 });
  });

  it('gives each route kind its own latencies (the overall sort must not reorder them) and a timeline of the run', async () => {
    // /a requests of the first 400 ms answer after 500 ms, every other request at once: the last answers of the
    // run (fast ones) come after the slow ones, so a kind read from the sorted latencies would get theirs
    const start = Date.now();
    const server = http.createServer((req, res) => {
      if (req.url === '/a' && Date.now() - start < 400) setTimeout(() => res.writeHead(200).end('{}'), 500);
      else res.writeHead(200).end('{}');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const routes = [
      { kind: 'a', path: '/a' },
      { kind: 'b', path: '/b' },
    ];
    const r = await runOpenLoop({ url, token: 't', users: [], extraQuery: '', routes, connections: 40, seconds: 1, rate: 100 });
    expect(r.requests).toBe(100);
    expect(r.by_kind.a!.max_ms).toBeGreaterThanOrEqual(500);
    expect(r.by_kind.b!.max_ms).toBeLessThan(250);
    // 250 ms windows: every request sent and served in one of them, 25 due in each of the first four
    const tl = r.timeline!;
    expect(tl.length).toBeGreaterThanOrEqual(4);
    expect(tl.map((w) => w.t_ms).slice(0, 4)).toEqual([0, 250, 500, 750]);
    expect(tl.reduce((a, w) => a + w.sent, 0)).toBe(100);
    expect(tl.reduce((a, w) => a + w.served, 0)).toBe(100);
    expect(tl[0]!.max_ms).toBeGreaterThanOrEqual(500);
    expect(tl[3]!.max_ms).toBeLessThan(250);
    expect(r.generator_loop_delay!.max_ms).toBeGreaterThanOrEqual(0);
    expect(r.t0_epoch_ms).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a warm-up runs first on the same schedule and is reported apart from the measured requests', async () => {
    // the first 10 requests are slow (a cold server), the rest answered at once
    let n = 0;
    const server = http.createServer((_req, res) => {
      if (n++ < 10) setTimeout(() => res.writeHead(200).end('{}'), 150);
      else res.writeHead(200).end('{}');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const r = await runOpenLoop({ url, token: 't', users: [], extraQuery: '', routes: [{ kind: 'x', path: '/x' }], connections: 5, seconds: 1, rate: 40, warmupSeconds: 0.5 });
    expect(n).toBe(60);
    expect(r.requests).toBe(40);
    expect(r.status_codes).toEqual({ 200: 40 });
    expect(r.p50_ms).toBeLessThan(100);
    expect(r.warmup).toMatchObject({ seconds: 0.5, requests: 20, non2xx: 0, errors: 0 });
    expect(r.warmup!.max_ms).toBeGreaterThanOrEqual(150);
    expect(r.measured_from_ms).toBe(500);
    expect(r.timeline!.reduce((a, w) => a + w.served, 0)).toBe(60);
  });
});
