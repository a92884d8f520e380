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
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { errorKind, latencyByKind, ms, routesOf, summary } from './load-common';
import type { LoadJob, LoadResult } from './load-worker';
import { HttpResponseParser } from './http-response-parser';
import type { HttpResponse } from './http-response-parser';
import { compareAnswer } from './query-scopes';

/** Requests whose answers are parsed and compared with the route's expected ranking: each route's first, then every CHECK_EVERY-th. */
const CHECK_EVERY = 101;
/** differences kept in the result (the count is exact) */
const MAX_DIFFERENCES = 5;
/** the timeline's window */
export const TIMELINE_WINDOW_MS = 250;

/**
 * One window of the open loop's timeline, `t_ms` from the first request's due time: requests sent
 * (written to a socket) and served (answered) in it, the latency of the requests DUE in it, the
 * deepest the queue got in it, and the generator's own event-loop delay over it.
 */
export interface TimelineWindow {
  t_ms: number;
  sent: number;
  served: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  max_queued: number;
  generator_loop_delay_max_ms: number;
}

/** Per-window counts, latencies and loop delays of an open-loop run (see TimelineWindow). */
class Timeline {
  readonly sent: number[] = [];
  readonly served: number[] = [];
  readonly queued: number[] = [];
  readonly loopMax: number[] = [];
  private readonly delay = monitorEventLoopDelay({ resolution: 5 });
  private readonly whole = monitorEventLoopDelay({ resolution: 5 });
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly t0: number) {}

  at(now: number): number {
    return Math.max(0, Math.floor((now - this.t0) / TIMELINE_WINDOW_MS));
  }

  static bump(a: number[], w: number, by = 1): void {
    while (a.length <= w) a.push(0);
    a[w]! += by;
  }

  /** window `w` of `a` raised to at least `v` */
  static raise(a: number[], w: number, v: number): void {
    Timeline.bump(a, w, 0);
    a[w] = Math.max(a[w]!, v);
  }

  start(): void {
    this.delay.enable();
    this.whole.enable();
    this.timer = setInterval(() => this.closeWindow(), TIMELINE_WINDOW_MS);
  }

  /** the generator's loop delay over the window just ended goes to the window that was current */
  private closeWindow(): void {
    Timeline.raise(this.loopMax, this.at(performance.now() - 1), this.delay.max / 1e6);
    this.delay.reset();
  }

  stop(): { p50_ms: number; p99_ms: number; max_ms: number } {
    clearInterval(this.timer);
    this.closeWindow();
    this.delay.disable();
    this.whole.disable();
    return { p50_ms: ms(this.whole.percentile(50) / 1e6), p99_ms: ms(this.whole.percentile(99) / 1e6), max_ms: ms(this.whole.max / 1e6) };
  }

  /** the windows, with the latencies of the requests due in each (`lat[m]` due at `dueOf(m)`) */
  windows(lat: Float64Array, dueOf: (m: number) => number, n: number): TimelineWindow[] {
    const byWin: number[][] = [];
    for (let m = 0; m < n; m++) (byWin[this.at(dueOf(m))] ??= []).push(lat[m]!);
    const len = Math.max(this.sent.length, this.served.length, byWin.length, this.loopMax.length);
    const out: TimelineWindow[] = [];
    for (let w = 0; w < len; w++) {
      const { p50_ms, p99_ms, max_ms } = summary(Float64Array.from(byWin[w] ?? []).sort());
      out.push({
        t_ms: w * TIMELINE_WINDOW_MS,
        sent: this.sent[w] ?? 0,
        served: this.served[w] ?? 0,
        p50_ms,
        p99_ms,
        max_ms,
        max_queued: this.queued[w] ?? 0,
        generator_loop_delay_max_ms: ms(this.loopMax[w] ?? 0),
      });
    }
    return out;
  }
}

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

/** Answers and failures of one part of a run (the measured requests, or the warm-up's). */
interface Tally {
  non2xx: number;
  errors: number;
  timeouts: number;
  maxQueued: number;
  statusCodes: Record<string, number>;
  errorKinds: Record<string, number>;
  non2xxByKind: number[];
}

const newTally = (kinds: number): Tally => ({ non2xx: 0, errors: 0, timeouts: 0, maxQueued: 0, statusCodes: {}, errorKinds: {}, non2xxByKind: new Array<number>(kinds).fill(0) });

export async function runOpenLoop(job: LoadJob & { rate: number }): Promise<LoadResult> {
  const routes = routesOf(job);
  const u = new URL(job.url);
  const port = Number(u.port || 80);
  // what Node's http client sent: Host with the port, the bearer token, keep-alive
  const bytes = routes.map((r) => Buffer.from(`GET ${r.path} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${job.token}\r\nConnection: keep-alive\r\n\r\n`, 'latin1'));
  // wrk2-style calibration: the first `warm` requests run on the same schedule and connections, reported on their own
  const warm = Math.floor(job.rate * (job.warmupSeconds ?? 0));
  const total = warm + Math.max(1, Math.floor(job.rate * job.seconds));
  const timeoutMs = (job.timeoutSeconds ?? 10) * 1000;
  const lat = new Float64Array(total);
  // the request each answer was to (its route, due time and warm-up or not follow from its index)
  const reqOf = new Uint32Array(total);
  const kindNames = [...new Set(routes.map((r) => r.kind))];
  const routeKind = routes.map((r) => kindNames.indexOf(r.kind));
  // [measured, warm-up]
  const tallies = [newTally(kindNames.length), newTally(kindNames.length)] as const;
  const checks = { checked: 0, exact: 0, differences: [] as string[], different: 0 };
  const checking = routes.some((r) => r.expect);
  let answered = 0;
  let finished = 0;
  let opened = 0;
  const conns: Conn[] = [];
  const idle: Conn[] = [];
  // FIFO of requests due while every connection was busy (head index: shift in O(1))
  const queue: Req[] = [];
  let queueHead = 0;
  const interval = 1000 / job.rate;
  const t0 = performance.now() + 20;
  /** when request `i` is due */
  const dueAt = (i: number): number => t0 + i * interval;
  const timeline = new Timeline(t0);
  const cpu0 = process.cpuUsage();
  let allDone!: () => void;
  const done = new Promise<void>((r) => (allDone = r));
  const settle = (): void => {
    if (++finished === total) allDone();
  };

  const tallyOf = (req: Req): Tally => tallies[req.i < warm ? 1 : 0];

  const fail = (req: Req, e: Error & { code?: string }): void => {
    const t = tallyOf(req);
    t.errors++;
    const k = errorKind(e);
    if (k === 'timeout') t.timeouts++;
    t.errorKinds[k] = (t.errorKinds[k] ?? 0) + 1;
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
    Timeline.bump(timeline.sent, timeline.at(req.sent));
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
    const t = tallyOf(req);
    t.statusCodes[r.status] = (t.statusCodes[r.status] ?? 0) + 1;
    if (r.status < 200 || r.status > 299) {
      t.non2xx++;
      t.non2xxByKind[routeKind[req.route]!]!++;
    } else if (r.body) check(req, r.body);
    const now = performance.now();
    reqOf[answered] = req.i;
    lat[answered++] = now - req.due;
    Timeline.bump(timeline.served, timeline.at(now));
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
      const req = c.req;
      c.req = null;
      fail(req, e ?? new Error('connection closed in the middle of a response'));
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
    const req: Req = { i, route: i % routes.length, due: dueAt(i), sent: 0 };
    const c = idle.pop();
    if (c) send(c, req);
    else if (conns.length < job.connections) send(open(), req);
    else {
      queue.push(req);
      const depth = queue.length - queueHead;
      const t = tallyOf(req);
      t.maxQueued = Math.max(t.maxQueued, depth);
      Timeline.raise(timeline.queued, timeline.at(req.due), depth);
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
    while (next < total && dueAt(next) <= now) fire(next++);
    if (next < total) setTimeout(tick, Math.max(0, Math.min(5, dueAt(next) - performance.now())));
  };
  setTimeout(tick, 20);
  timeline.start();
  await done;
  // the measured part's rate is over the time from its first due request
  const elapsed = (performance.now() - dueAt(warm)) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const loopDelay = timeline.stop();
  clearInterval(sweep);
  for (const c of [...conns]) close(c);

  // the timeline reads `lat` in answer order, before the split and sorts below
  const windows = timeline.windows(lat, (m) => dueAt(reqOf[m]!), answered);
  const measured = { lat: new Float64Array(answered), kindOf: new Uint8Array(answered), n: 0 };
  const warmLat = new Float64Array(answered);
  let warmN = 0;
  for (let m = 0; m < answered; m++) {
    const i = reqOf[m]!;
    if (i < warm) warmLat[warmN++] = lat[m]!;
    else {
      measured.kindOf[measured.n] = routeKind[i % routes.length]!;
      measured.lat[measured.n++] = lat[m]!;
    }
  }
  const [mt, wt] = tallies;
  const byKind = latencyByKind(kindNames, measured.lat, measured.kindOf, measured.n, mt.non2xxByKind);
  const sorted = measured.lat.subarray(0, measured.n).sort();
  const warmSorted = warmLat.subarray(0, warmN).sort();
  const errors = mt.errors + wt.errors;
  return {
    requests: measured.n,
    requests_per_second: Math.round(measured.n / elapsed),
    offered_rate: job.rate,
    ...summary(sorted),
    non2xx: mt.non2xx,
    errors: mt.errors,
    timeouts: mt.timeouts,
    error_kinds: mt.errorKinds,
    status_codes: mt.statusCodes,
    by_kind: byKind,
    // over the whole run, warm-up included
    generator_cpu_us_per_request: Math.round((cpu.user + cpu.system) / Math.max(1, answered + errors)),
    connections_opened: opened,
    max_queued: mt.maxQueued,
    ...(warm > 0
      ? {
          warmup: {
            seconds: job.warmupSeconds!,
            requests: warmN,
            ...summary(warmSorted),
            non2xx: wt.non2xx,
            errors: wt.errors,
            error_kinds: wt.errorKinds,
            max_queued: wt.maxQueued,
          },
          measured_from_ms: ms(warm * interval),
        }
      : {}),
    generator_loop_delay: loopDelay,
    t0_epoch_ms: Math.round(performance.timeOrigin + t0),
    timeline: windows,
    ...(checking ? { answers_checked: { checked: checks.checked, exact: checks.exact, differences: checks.differences } } : {}),
  };
}
