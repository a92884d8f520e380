import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runOpenLoop } from './open-loop';

describe('open-loop load', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r));
  });

  it('measures from each request’s scheduled time, so a queue behind a slow server shows in the latency', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server = http.createServer((req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(req.headers.authorization === 'Bearer t' ? 200 : 401).end('{}');
      }, 50);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // 40 requests offered in 1 s to one connection that serves 20 per second: the last waits ~1 s
    const r = await runOpenLoop({ url, token: 't', users: [], extraQuery: '', routes: [{ kind: 'x', path: '/a' }], connections: 1, seconds: 1, rate: 40 });
    expect(r.requests).toBe(40);
    expect(r.non2xx).toBe(0);
    expect(r.offered_rate).toBe(40);
    expect(maxInFlight).toBe(1);
    expect(r.p50_ms).toBeGreaterThan(200);
    expect(r.max_ms).toBeGreaterThan(800);
    expect(r.by_kind.x!.requests).toBe(40);
  });
});
