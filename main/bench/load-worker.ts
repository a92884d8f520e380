/**
 * The load generator of `topk bench query`, forked as its own process so it
 * does not share an event loop with the server or the orchestrator: autocannon
 * against GET /users/{id}/topk across many users. Receives a LoadJob on IPC,
 * answers with a LoadResult.
 */
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  token: string;
  users: string[];
  /** appended to `?days=7&k=10`, e.g. `&cache=bypass` */
  extraQuery: string;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  requests: number;
  requests_per_second: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  let lat = new Float64Array(1 << 16);
  let n = 0;
  let i = 0;
  const paths = job.users.map((u) => `/users/${encodeURIComponent(u)}/topk?days=7&k=10${job.extraQuery}`);
  let finish!: (r: autocannon.Result) => void;
  let fail!: (e: Error) => void;
  const done = new Promise<autocannon.Result>((res, rej) => {
    finish = res;
    fail = rej;
  });
  const instance = autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.seconds,
    headers: { authorization: `Bearer ${job.token}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          req.path = paths[i++ % paths.length]!;
          return req;
        },
      },
    ],
  }, (err, result) => (err ? fail(err as Error) : finish(result)));
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    if (n === lat.length) {
      const bigger = new Float64Array(lat.length * 2);
      bigger.set(lat);
      lat = bigger;
    }
    lat[n++] = responseTime;
  });
  const r = await done;
  const sorted = lat.subarray(0, n).sort();
  return {
    requests: r.requests.total,
    requests_per_second: Math.round(r.requests.total / job.seconds),
    p50_ms: Math.round(pct(sorted, 50) * 100) / 100,
    p95_ms: Math.round(pct(sorted, 95) * 100) / 100,
    p99_ms: Math.round(pct(sorted, 99) * 100) / 100,
    max_ms: Math.round((sorted[n - 1] ?? NaN) * 100) / 100,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

if (process.send) {
  process.once('message', (job: LoadJob) => {
    runLoad(job).then(
      (res) => process.send!({ ok: true, result: res }, () => process.exit(0)),
      (err: unknown) => process.send!({ ok: false, error: (err as Error).message }, () => process.exit(1)),
    );
  });
}
