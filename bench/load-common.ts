import type { LoadJob } from './load-worker';

/** What the load benchmark's closed loop (autocannon) and its open loop share: a job's routes, error kinds, latency summaries. */

/** The job's routes; by default each user's seed-route Top-K. */
export function routesOf(job: LoadJob): NonNullable<LoadJob['routes']> {
  return job.routes ?? job.users.map((u) => ({ kind: 'topk', path: `/users/${encodeURIComponent(u)}/topk?days=7&k=10${job.extraQuery}` }));
}

/** A failed request's kind, as the results count them. */
export function errorKind(e: Error & { code?: string }): string {
  if (/timed out/i.test(e.message)) return 'timeout';
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return 'reset';
  if (e.code === 'ECONNREFUSED') return 'refused';
  // the open loop's connection closed before the answer was complete
  if (/closed in the middle/.test(e.message)) return 'closed';
  return e.code ?? e.message.slice(0, 60);
}

/** One request kind's figures in a load result. */
export interface KindResult {
  requests: number;
  non2xx: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** The p-th percentile (nearest rank) of ascending `sorted`; NaN when empty. */
export function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Milliseconds rounded to 0.01. */
export const ms = (x: number): number => Math.round(x * 100) / 100;

/** p50, p95, p99 and the maximum of ascending `sorted`, in ms rounded to 0.01. */
export function summary(sorted: Float64Array): { p50_ms: number; p95_ms: number; p99_ms: number; max_ms: number } {
  return { p50_ms: ms(pct(sorted, 50)), p95_ms: ms(pct(sorted, 95)), p99_ms: ms(pct(sorted, 99)), max_ms: ms(sorted[sorted.length - 1] ?? NaN) };
}

/** Per request kind: the latencies of the first `n` requests (`lat[m]`, kind index `kindOf[m]`) summarised. */
export function latencyByKind(kinds: readonly string[], lat: Float64Array, kindOf: Uint8Array, n: number, non2xxByKind: readonly number[]): Record<string, KindResult> {
  const byKind: Record<string, KindResult> = {};
  kinds.forEach((k, j) => {
    const own: number[] = [];
    for (let m = 0; m < n; m++) if (kindOf[m] === j) own.push(lat[m]!);
    const s = Float64Array.from(own).sort();
    byKind[k] = { requests: s.length, non2xx: non2xxByKind[j]!, p50_ms: ms(pct(s, 50)), p99_ms: ms(pct(s, 99)), max_ms: ms(s[s.length - 1] ?? NaN) };
  });
  return byKind;
}
