/**
 * Open-loop load (`topk bench query --rate R`): request i is due at
 * t0 + i/R whatever happened to the earlier ones, and its latency is measured
 * from that scheduled time, so a slow server's queue (requests waiting for one
 * of the `connections` keep-alive sockets, or a late generator) shows in the
 * percentiles instead of lowering the offered load, as a closed loop would.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { KindResult, LoadJob, LoadResult } from './load-worker';

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const ms = (x: number): number => Math.round(x * 100) / 100;

export async function runOpenLoop(job: LoadJob & { rate: number }): Promise<LoadResult> {
  const routes = job.routes ?? job.users.map((u) => ({ kind: 'topk', path: `/users/${encodeURIComponent(u)}/topk?days=7&k=10${job.extraQuery}` }));
  const u = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const total = Math.max(1, Math.floor(job.rate * job.seconds));
  const lat = new Float64Array(total);
  const kindNames = [...new Set(routes.map((r) => r.kind))];
  const kindOf = new Uint8Array(total);
  const statusCodes: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  let answered = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let finished = 0;
  const interval = 1000 / job.rate;
  const t0 = performance.now() + 20;
  let allDone!: () => void;
  const done = new Promise<void>((r) => (allDone = r));
  const settle = (): void => {
    if (++finished === total) allDone();
  };
  const fire = (i: number): void => {
    const due = t0 + i * interval;
    const route = routes[i % routes.length]!;
    const kind = kindNames.indexOf(route.kind);
    const req = http.get({ agent, host: u.hostname, port: u.port, path: route.path, headers: { authorization: `Bearer ${job.token}` } }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        statusCodes[status] = (statusCodes[status] ?? 0) + 1;
        if (status < 200 || status > 299) non2xx++;
        kindOf[answered] = kind;
        lat[answered++] = performance.now() - due;
        settle();
      });
    });
    req.setTimeout((job.timeoutSeconds ?? 10) * 1000, () => req.destroy(new Error('request timed out')));
    req.on('error', (e: Error & { code?: string }) => {
      errors++;
      const k = /timed out/.test(e.message) ? 'timeout' : (e.code ?? e.message.slice(0, 60));
      if (k === 'timeout') timeouts++;
      errorKinds[k] = (errorKinds[k] ?? 0) + 1;
      settle();
    });
  };
  let next = 0;
  const tick = (): void => {
    const now = performance.now();
    while (next < total && t0 + next * interval <= now) fire(next++);
    if (next < total) setTimeout(tick, Math.max(0, Math.min(5, t0 + next * interval - performance.now())));
  };
  setTimeout(tick, 20);
  await done;
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  const sorted = lat.subarray(0, answered).sort();
  const byKind: Record<string, KindResult> = {};
  kindNames.forEach((k, j) => {
    const own: number[] = [];
    for (let m = 0; m < answered; m++) if (kindOf[m] === j) own.push(lat[m]!);
    const s = Float64Array.from(own).sort();
    byKind[k] = { requests: s.length, non2xx: 0, p50_ms: ms(pct(s, 50)), p99_ms: ms(pct(s, 99)), max_ms: ms(s[s.length - 1] ?? NaN) };
  });
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
  };
}
