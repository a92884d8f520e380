/**
 * The load generator of `topk bench query`, `bench load` and `bench soak`,
 * forked as its own process so it does not share an event loop with the
 * server or the orchestrator: autocannon against the API (closed loop), or the
 * open loop of bench/open-loop.ts when the job has a `rate`. By default it
 * requests GET /users/{id}/topk across the users; with `routes` it cycles
 * through a mix of paths, each with a kind that the result breaks down by.
 * Receives a LoadJob on IPC, answers with a LoadResult.
 */
import autocannon from 'autocannon';
import { errorKind, latencyByKind, routesOf, summary } from './load-common';
import type { KindResult } from './load-common';
import type { TimelineWindow } from './open-loop';
import { runOpenLoop } from './open-loop';
import type { Ranked } from './query-scopes';

export interface LoadJob {
  url: string;
  token: string;
  users: string[];
  /** appended to `?days=7&k=10`, e.g. `&cache=bypass` (ignored with `routes`) */
  extraQuery: string;
  connections: number;
  seconds: number;
  /**
   * cycle through these paths instead of the users' topk route; `kind` names the row of `by_kind`;
   * with `expect`, the open loop parses a sample of the route's answers and compares them with it
   */
  routes?: Array<{ kind: string; path: string; expect?: Ranked[] }>;
  /** requests per second over all connections (a light, steady load); as fast as possible when absent */
  overallRate?: number;
  /** per-request timeout in seconds (autocannon's default is 10) */
  timeoutSeconds?: number;
  /**
   * open loop: first run the same schedule for this many seconds (wrk2-style calibration: JIT, connections,
   * caches), reported on its own as `warmup`; the measured requests follow without a gap
   */
  warmupSeconds?: number;
  /** open loop (bench/open-loop.ts): this many requests per second on a fixed schedule, latency from each one's due time */
  rate?: number;
}


export interface LoadResult {
  requests: number;
  requests_per_second: number;
  /** the open loop's offered load (requests per second), when it ran */
  offered_rate?: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** errors by kind: `timeout`, `reset` (ECONNRESET/EPIPE), `refused`, or the error code */
  error_kinds: Record<string, number>;
  /** responses by HTTP status */
  status_codes: Record<string, number>;
  /** per route kind (`topk` when no `routes` were given) */
  by_kind: Record<string, KindResult>;
  /** CPU the load generator itself spent per request (process.cpuUsage: user + system) */
  generator_cpu_us_per_request: number;
  /** open loop: connections it opened (one request in flight on each) */
  connections_opened?: number;
  /** open loop: the most requests that waited at once for a free connection */
  max_queued?: number;
  /** open loop with `warmupSeconds`: the warm-up's own figures (not in the ones above) */
  warmup?: { seconds: number; requests: number; p50_ms: number; p95_ms: number; p99_ms: number; max_ms: number; non2xx: number; errors: number; error_kinds: Record<string, number>; max_queued: number };
  /** open loop with `warmupSeconds`: when the measured requests start on the timeline (ms) */
  measured_from_ms?: number;
  /** open loop: the generator's own event-loop delay over the run (ms) */
  generator_loop_delay?: { p50_ms: number; p99_ms: number; max_ms: number };
  /** open loop: the first request's due time (ms since the epoch), the timeline's origin */
  t0_epoch_ms?: number;
  /** open loop: per window of TIMELINE_WINDOW_MS (see TimelineWindow) */
  timeline?: TimelineWindow[];
  /** open loop: sampled answers compared with the routes' expected rankings (`differences`: the first few) */
  answers_checked?: { checked: number; exact: number; differences: string[] };
}

/** autocannon's per-connection context: the route of the request in flight */
interface RouteContext {
  route?: number;
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const cpu0 = process.cpuUsage();
  let lat = new Float64Array(1 << 16);
  let kindOf = new Uint8Array(1 << 16);
  let n = 0;
  let i = 0;
  const routes = routesOf(job);
  const kinds = [...new Set(routes.map((r) => r.kind))];
  if (kinds.length > 255) throw new Error('at most 255 route kinds');
  const kindIndex = new Map(kinds.map((k, j) => [k, j]));
  const routeKind = routes.map((r) => kindIndex.get(r.kind)!);
  const non2xxByKind = new Array<number>(kinds.length).fill(0);
  const statusCodes: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  // autocannon calls the request's onResponse and then emits 'response' for the same
  // connection synchronously; the kind of the answered request passes between them here
  let answeredKind = 0;
  let finish!: (r: autocannon.Result) => void;
  let fail!: (e: Error) => void;
  const done = new Promise<autocannon.Result>((res, rej) => {
    finish = res;
    fail = rej;
  });
  const instance = autocannon(
    {
      url: job.url,
      connections: job.connections,
      duration: job.seconds,
      timeout: job.timeoutSeconds ?? 10,
      ...(job.overallRate ? { overallRate: job.overallRate } : {}),
      headers: { authorization: `Bearer ${job.token}` },
      requests: [
        {
          method: 'GET',
          setupRequest: (req, context: object) => {
            const r = i++ % routes.length;
            (context as RouteContext).route = r;
            req.path = routes[r]!.path;
            return req;
          },
          onResponse: (status: number, _body: string, context: object) => {
            answeredKind = routeKind[(context as RouteContext).route ?? 0] ?? 0;
            statusCodes[status] = (statusCodes[status] ?? 0) + 1;
            if (status < 200 || status > 299) non2xxByKind[answeredKind]!++;
          },
        },
      ],
    },
    (err, result) => (err ? fail(err as Error) : finish(result)),
  );
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    if (n === lat.length) {
      const bigger = new Float64Array(lat.length * 2);
      bigger.set(lat);
      lat = bigger;
      const k = new Uint8Array(kindOf.length * 2);
      k.set(kindOf);
      kindOf = k;
    }
    kindOf[n] = answeredKind;
    lat[n++] = responseTime;
  });
  instance.on('reqError', (e: Error) => {
    const k = errorKind(e);
    errorKinds[k] = (errorKinds[k] ?? 0) + 1;
  });
  const r = await done;
  const cpu = process.cpuUsage(cpu0);
  const byKind = latencyByKind(kinds, lat, kindOf, n, non2xxByKind);
  const sorted = lat.subarray(0, n).sort();
  return {
    requests: r.requests.total,
    requests_per_second: Math.round(r.requests.total / job.seconds),
    ...summary(sorted),
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    error_kinds: errorKinds,
    status_codes: statusCodes,
    by_kind: byKind,
    generator_cpu_us_per_request: Math.round((cpu.user + cpu.system) / Math.max(1, r.requests.total)),
  };
}

if (process.send) {
  process.once('message', (job: LoadJob) => {
    (job.rate ? runOpenLoop({ ...job, rate: job.rate }) : runLoad(job)).then(
      (res) => process.send!({ ok: true, result: res }, () => process.exit(0)),
      (err: unknown) => process.send!({ ok: false, error: (err as Error).message }, () => process.exit(1)),
    );
  });
}
