/**
 * Open-loop load (`topk bench query --rate R`): request i is due at
 * t0 + i/R whatever happened to the earlier ones, and its latency is measured
 * from that scheduled time, so a slow server's queue (requests waiting for one
 * of the `connections` keep-alive sockets, or a late generator) shows in the
 * percentiles instead of lowering the offered load, as a closed loop would.
 *
 * Lean on purpose: on one small box the generator shares the cores with the
 * API it measures, and Node's `http` client spent more CPU per request
 * (~219 µs) than the API's hit lane answering it (~125 µs). So: raw TCP
 * connections (`net`), opened as the load needs them up to `connections`, each
 * with one request in flight (no pipelining: a request finding every
 * connection busy waits in a FIFO queue, and that wait is part of its
 * latency); each route's request bytes prepared once (the same Host and bearer
 * headers Node's client sent); responses read by bench/http-response-parser.ts,
 * bodies skipped except for the sampled answer checks. The result carries the
 * generator's own CPU per request (process.cpuUsage).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { errorKind, latencyByKind, ms, pct, routesOf } from './load-common';
import type { LoadJob, LoadResult } from './load-worker';
import { HttpResponseParser } from './http-response-parser';
import type { HttpResponse } from './http-response-parser';
import { compareAnswer } from './query-scopes';

/** Requests whose answers are parsed and compared with the route's expected ranking: each route's first, then every CHECK_EVERY-th. */
const CHECK_EVERY = 101;
/** differences kept in the result (the count is exact) */
const MAX_DIFFERENCES = 5;

/** One request: its index, its route, when it was due, when it went out. */
interface Req {
  i: number;
  route: number;
  due: number;
  sent: number;
}

interface Conn {
  socket: net.Socket;
  parser: HttpResponseParser;
  /** the request in flight, if any */
  req: Req | null;
  closed: boolean;
}

export async function runOpenLoop(job: LoadJob & { rate: number }): Promise<LoadResult> {
  const routes = routesOf(job);
  const u = new URL(job.url);
  const port = Number(u.port || 80);
  // what Node's http client sent: Host with the port, the bearer token, keep-alive
  const bytes = routes.map((r) => Buffer.from(`GET ${r.path} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${job.token}\r\nConnection: keep-alive\r\n\r\n`, 'latin1'));
  const total = Math.max(1, Math.floor(job.rate * job.seconds));
  const timeoutMs = (job.timeoutSeconds ?? 10) * 1000;
  const lat = new Float64Array(total);
  const kindNames = [...new Set(routes.map((r) => r.kind))];
  const routeKind = routes.map((r) => kindNames.indexOf(r.kind));
  const kindOf = new Uint8Array(total);
  const non2xxByKind = new Array<number>(kindNames.length).fill(0);
  const statusCodes: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  const checks = { checked: 0, exact: 0, differences: [] as string[], different: 0 };
  const checking = routes.some((r) => r.expect);
  let answered = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let finished = 0;
  let opened = 0;
  let maxQueued = 0;
  const conns: Conn[] = [];
  const idle: Conn[] = [];
  // FIFO of requests due while every connection was busy (head index: shift in O(1))
  const queue: Req[] = [];
  let queueHead = 0;
  const interval = 1000 / job.rate;
  const t0 = performance.now() + 20;
  const cpu0 = process.cpuUsage();
  let allDone!: () => void;
  const done = new Promise<void>((r) => (allDone = r));
  const settle = (): void => {
    if (++finished === total) allDone();
  };

  const fail = (e: Error & { code?: string }): void => {
    errors++;
    const k = errorKind(e);
    if (k === 'timeout') timeouts++;
    errorKinds[k] = (errorKinds[k] ?? 0) + 1;
    settle();
  };

  const check = (req: Req, body: Buffer | undefined): void => {
    const r = routes[req.route]!;
    checks.checked++;
    let diffs: string[];
    try {
      diffs = compareAnswer(r.path, JSON.parse(body?.toString('utf8') ?? ''), r.expect!);
    } catch (e) {
      diffs = [`${r.path}: body is not JSON (${(e as Error).message})`];
    }
    if (diffs.length === 0) checks.exact++;
    else {
      checks.different++;
      if (checks.differences.length < MAX_DIFFERENCES) checks.differences.push(diffs[0]!);
    }
  };

  const send = (c: Conn, req: Req): void => {
    c.req = req;
    const sampled = checking && routes[req.route]!.expect !== undefined && (req.i < routes.length || req.i % CHECK_EVERY === 0);
    c.parser.keepBody(sampled);
    req.sent = performance.now();
    c.socket.write(bytes[req.route]!);
  };

  /** The connection is free again: the oldest queued request, else idle. */
  const release = (c: Conn): void => {
    c.req = null;
    if (queueHead < queue.length) {
      const next = queue[queueHead++]!;
      if (queueHead === queue.length) {
        queue.length = 0;
        queueHead = 0;
      }
      send(c, next);
    } else idle.push(c);
  };

  const onResponse = (c: Conn, r: HttpResponse): void => {
    const req = c.req;
    if (!req) {
      close(c, new Error('response without a request'));
      return;
    }
    statusCodes[r.status] = (statusCodes[r.status] ?? 0) + 1;
    if (r.status < 200 || r.status > 299) {
      non2xx++;
      non2xxByKind[routeKind[req.route]!]!++;
    } else if (r.body) check(req, r.body);
    kindOf[answered] = routeKind[req.route]!;
    lat[answered++] = performance.now() - req.due;
    settle();
    if (r.keepAlive) release(c);
    else {
      c.req = null;
      close(c);
    }
  };

  /** Forget a connection; a request it carried fails with `e`; a queued one gets a new connection. */
  const close = (c: Conn, e?: Error): void => {
    if (c.closed) return;
    c.closed = true;
    c.socket.destroy();
    conns.splice(conns.indexOf(c), 1);
    const at = idle.indexOf(c);
    if (at >= 0) idle.splice(at, 1);
    if (c.req) {
      c.req = null;
      fail(e ?? new Error('connection closed in the middle of a response'));
    }
    if (queueHead < queue.length && conns.length < job.connections) {
      const next = queue[queueHead++]!;
      send(open(), next);
    }
  };

  const open = (): Conn => {
    opened++;
    const socket = net.connect({ host: u.hostname, port, noDelay: true });
    const c: Conn = { socket, parser: new HttpResponseParser((r) => onResponse(c, r)), req: null, closed: false };
    conns.push(c);
    socket.on('data', (chunk: Buffer) => {
      try {
        c.parser.push(chunk);
      } catch (e) {
        close(c, e as Error);
      }
    });
    socket.on('end', () => {
      try {
        c.parser.end();
        close(c);
      } catch (e) {
        close(c, e as Error);
      }
    });
    socket.on('error', (e) => close(c, e));
    socket.on('close', () => close(c));
    return c;
  };

  const fire = (i: number): void => {
    const req: Req = { i, route: i % routes.length, due: t0 + i * interval, sent: 0 };
    const c = idle.pop();
    if (c) send(c, req);
    else if (conns.length < job.connections) send(open(), req);
    else {
      queue.push(req);
      maxQueued = Math.max(maxQueued, queue.length - queueHead);
    }
  };

  // a request without an answer after the timeout fails, and its connection is closed
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const c of [...conns]) if (c.req && now - c.req.sent > timeoutMs) close(c, new Error('request timed out'));
  }, Math.min(250, timeoutMs));

  let next = 0;
  const tick = (): void => {
    const now = performance.now();
    while (next < total && t0 + next * interval <= now) fire(next++);
    if (next < total) setTimeout(tick, Math.max(0, Math.min(5, t0 + next * interval - performance.now())));
  };
  setTimeout(tick, 20);
  await done;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sweep);
  for (const c of [...conns]) close(c);

  const sorted = lat.subarray(0, answered).sort();
  const byKind = latencyByKind(kindNames, lat, kindOf, answered, non2xxByKind);
  return {
    requests: answered,
    requests_per_second: Math.round(answered / elapsed),
    offered_rate: job.rate,
    p50_ms: ms(pct(sorted, 50)),
    p95_ms: ms(pct(sorted, 95)),
    p99_ms: ms(pct(sorted, 99)),
    max_ms: ms(sorted[answered - 1] ?? NaN),
    non2xx,
    errors,
    timeouts,
    error_kinds: errorKinds,
    status_codes: statusCodes,
    by_kind: byKind,
    generator_cpu_us_per_request: Math.round((cpu.user + cpu.system) / Math.max(1, answered + errors)),
    connections_opened: opened,
    max_queued: maxQueued,
    ...(checking ? { answers_checked: { checked: checks.checked, exact: checks.exact, differences: checks.differences } } : {}),
  };
}
