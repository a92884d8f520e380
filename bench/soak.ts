/**
 * `topk bench soak`: a sustained ingest at a steady publish rate through the
 * real aggregator child, with the real API child serving a light mixed query
 * load over the same users, sampling both processes' RSS and the consumer lag.
 * Memory growth is judged window against window: the max RSS over the second
 * window (the first one is warm-up) against the max over the last window; a
 * window is a minute (shorter runs: a fifth of the run). At the end the lag
 * must drain to 0 and every daily count must equal the generated listens.
 * Both children also report their V8 heap (bench/soak-heap-probe.mjs): the
 * live heap after each major GC tells a leak from heap headroom kept in the RSS.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from '../engine/shared/config';
import { memoryOf, ROOT } from './child';
import type { ChildHandle } from './child';
import { round } from './bench-env';
import type { Clients, IngestResult } from './ingest';
import type { LoadResult } from './load-worker';
import { routeMix } from './load-mix';
import { load, startServer } from './query';
import type { Server } from './query';
import { publishWorkload, startPipeline, waitDrained } from './soak-pipeline';
import type { Pipeline, PublishProgress } from './soak-pipeline';
import { makeWorkload } from './workload';

export const SOAK_GROWTH_TARGET_PCT = 10;

export interface SoakOptions {
  minutes: number;
  /** messages published per second (listens + re-crawled copies) */
  rate: number;
  users: number;
  days: number;
  partitions: number;
  duplicates: number;
  /** API requests per second over all query connections */
  queryRate: number;
  /** seconds after publishing ends for the lag to reach 0 */
  drainTimeoutSeconds: number;
  progress: (line: string) => void;
}

export interface SoakSample {
  t_s: number;
  published: number;
  lag: number | null;
  aggregator_rss_mb: number | null;
  api_rss_mb: number | null;
}

/** One `bench heap` line of a child: after a major GC, or a periodic tick. */
export interface HeapSample {
  t_s: number;
  event: 'major_gc' | 'tick';
  heap_used_mb: number;
  heap_total_mb: number;
  external_mb: number;
}

export interface SoakWindow {
  index: number;
  from_s: number;
  to_s: number;
  published: number;
  publish_per_second: number;
  lag_at_end: number | null;
  lag_max: number | null;
  aggregator_rss_max_mb: number | null;
  api_rss_max_mb: number | null;
  /** V8 heap in use right after the window's major GCs (max; null when none ran) */
  aggregator_heap_after_gc_mb: number | null;
  api_heap_after_gc_mb: number | null;
  /** V8 heap reserved (max over the window) */
  aggregator_heap_total_mb: number | null;
  api_heap_total_mb: number | null;
}

export interface Growth {
  /** max RSS over the second window (after warm-up) */
  after_warmup_mb: number;
  /** max RSS over the last window */
  last_window_mb: number;
  growth_pct: number;
  ok: boolean;
}

export interface SoakResult {
  duration_s: number;
  window_s: number;
  sample_every_s: number;
  messages: number;
  distinct_listens: number;
  publish_per_second: number;
  samples: SoakSample[];
  heap: { aggregator: HeapSample[]; api: HeapSample[] };
  windows: SoakWindow[];
  memory: {
    aggregator: Growth;
    api: Growth;
    target_growth_pct: number;
    ok: boolean;
    /** the same windows over the V8 heap in use after major GCs (informational: what the RSS growth is made of) */
    heap_after_gc: { aggregator: HeapGrowth; api: HeapGrowth };
  };
  /** lag when publishing ended, and the seconds it then took to reach 0 */
  lag_at_end: number;
  drain_seconds: number;
  drained: boolean;
  queries: LoadResult | null;
  verification: IngestResult['verification'];
}

/** Window length: a minute, or a fifth of shorter runs (so a warm-up and a last window always exist). */
export function soakWindowSeconds(durationS: number): number {
  return Math.min(60, durationS / 5);
}

/** Max RSS over [from, to) of the samples. */
function maxOver(samples: SoakSample[], key: 'aggregator_rss_mb' | 'api_rss_mb', from: number, to: number): number | null {
  let m: number | null = null;
  for (const s of samples) {
    const v = s[key];
    if (s.t_s >= from && s.t_s < to && v !== null) m = Math.max(m ?? 0, v);
  }
  return m;
}

export function growthOf(samples: SoakSample[], key: 'aggregator_rss_mb' | 'api_rss_mb', windowS: number, durationS: number): Growth {
  const warm = maxOver(samples, key, windowS, 2 * windowS) ?? NaN;
  const last = maxOver(samples, key, durationS - windowS, Infinity) ?? NaN;
  const pct = round(((last - warm) / warm) * 100, 1);
  return { after_warmup_mb: warm, last_window_mb: last, growth_pct: pct, ok: Number.isFinite(pct) && pct <= SOAK_GROWTH_TARGET_PCT };
}

function heapMax(h: HeapSample[], from: number, to: number, pick: (x: HeapSample) => number | null): number | null {
  let m: number | null = null;
  for (const x of h) {
    const v = pick(x);
    if (x.t_s >= from && x.t_s < to && v !== null) m = Math.max(m ?? 0, v);
  }
  return m;
}

export interface HeapGrowth {
  after_warmup_mb: number | null;
  last_window_mb: number | null;
  growth_pct: number | null;
  major_gcs: number;
}

export function heapGrowthOf(h: HeapSample[], windowS: number, durationS: number): HeapGrowth {
  const warm = heapMax(h, windowS, 2 * windowS, afterGc);
  const last = heapMax(h, durationS - windowS, Infinity, afterGc);
  return {
    after_warmup_mb: warm,
    last_window_mb: last,
    growth_pct: warm !== null && last !== null ? round(((last - warm) / warm) * 100, 1) : null,
    major_gcs: h.filter((x) => x.event === 'major_gc' && x.t_s >= 0).length,
  };
}

export function windowsOf(samples: SoakSample[], windowS: number, durationS: number, heap: SoakResult['heap'] = { aggregator: [], api: [] }): SoakWindow[] {
  const out: SoakWindow[] = [];
  const n = Math.max(1, Math.round(durationS / windowS));
  let before = 0;
  for (let i = 0; i < n; i++) {
    const from = i * windowS;
    const to = i === n - 1 ? Infinity : (i + 1) * windowS;
    const own = samples.filter((s) => s.t_s >= from && s.t_s < to);
    const lags = own.map((s) => s.lag).filter((l): l is number => l !== null);
    const last = own[own.length - 1];
    const published = (last?.published ?? before) - before;
    before = last?.published ?? before;
    out.push({
      index: i + 1,
      from_s: round(from, 1),
      to_s: round(Math.min(to, durationS), 1),
      published,
      publish_per_second: Math.round(published / Math.max(0.001, Math.min(to, durationS) - from)),
      lag_at_end: last?.lag ?? null,
      lag_max: lags.length ? Math.max(...lags) : null,
      aggregator_rss_max_mb: maxOver(own, 'aggregator_rss_mb', -Infinity, Infinity),
      api_rss_max_mb: maxOver(own, 'api_rss_mb', -Infinity, Infinity),
      aggregator_heap_after_gc_mb: heapMax(heap.aggregator, from, to, afterGc),
      api_heap_after_gc_mb: heapMax(heap.api, from, to, afterGc),
      aggregator_heap_total_mb: heapMax(heap.aggregator, from, to, (x) => x.heap_total_mb),
      api_heap_total_mb: heapMax(heap.api, from, to, (x) => x.heap_total_mb),
    });
  }
  return out;
}

const afterGc = (x: HeapSample): number | null => (x.event === 'major_gc' ? x.heap_used_mb : null);

/** Starts children with the heap probe preloaded (NODE_OPTIONS is inherited by children started inside `fn` only). */
async function withHeapProbe<T>(fn: () => Promise<T>): Promise<T> {
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${before ?? ''} --import ${pathToFileURL(join(ROOT, 'bench/soak-heap-probe.mjs')).href}`.trim();
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
  }
}

/** Collects a child's `bench heap` lines; times are relative to `origin()` (ms, performance.now()). */
function collectHeap(child: ChildHandle, origin: () => number): HeapSample[] {
  const out: HeapSample[] = [];
  child.onLine((o) => {
    if (o.msg !== 'bench heap') return;
    out.push({
      t_s: round((performance.now() - origin()) / 1000, 2),
      event: o.event === 'major_gc' ? 'major_gc' : 'tick',
      heap_used_mb: round(Number(o.heap_used) / 2 ** 20, 1),
      heap_total_mb: round(Number(o.heap_total) / 2 ** 20, 1),
      external_mb: round(Number(o.external) / 2 ** 20, 1),
    });
  });
  return out;
}

const mb = (bytes: number | undefined): number | null => (bytes === undefined || !Number.isFinite(bytes) ? null : round(bytes / 2 ** 20, 1));

function clock(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s - m * 60)).padStart(2, '0')}`;
}

export async function runSoak(config: Config, clients: Clients, tag: string, o: SoakOptions): Promise<SoakResult> {
  const say = o.progress;
  const durationS = o.minutes * 60;
  const messages = Math.max(1, Math.round(o.rate * durationS));
  const n = Math.max(1, Math.floor(messages / (1 + o.duplicates)));
  const t0 = performance.now();
  const w = makeWorkload({ n, users: o.users, days: o.days, dupFraction: o.duplicates });
  say(`generated ${w.listens} listens for ${o.users} users over ${o.days} days (+${w.order.length - w.listens} re-crawled copies) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const windowS = soakWindowSeconds(durationS);
  const sampleMs = Math.round(Math.min(5000, Math.max(250, (windowS * 1000) / 8)));

  let pipe: Pipeline | undefined;
  let api: Server | undefined;
  try {
    await withHeapProbe(async () => {
      pipe = await startPipeline(config, clients, tag, 'soak', o.partitions);
      api = await startServer('ours', pipe.config, tag);
    });
    const p = pipe!;
    if (!api) throw new Error('the API did not start');
    say(`aggregator pid ${p.aggregator.pid}, API pid ${api.child.pid} at ${api.url}; publishing ${w.order.length} messages at ${o.rate}/s for ${clock(durationS)} with ${o.queryRate} queries/s`);
    const users = Array.from({ length: o.users }, (_, u) => `${p.userPrefix}${u}`);
    const queries = load({
      url: api.url,
      token: api.token,
      users,
      extraQuery: '',
      routes: routeMix(users, config.retentionDays),
      connections: Math.max(1, Math.min(4, o.queryRate)),
      overallRate: o.queryRate,
      seconds: Math.max(1, Math.round(durationS)),
    });
    queries.catch(() => undefined);

    // sampling: RSS of both engine processes and the lag, every sampleMs until publishing ended
    const progress: PublishProgress = { sent: 0, startedAt: performance.now() };
    const heap = { aggregator: collectHeap(p.aggregator, () => progress.startedAt), api: collectHeap(api.child, () => progress.startedAt) };
    const samples: SoakSample[] = [];
    let sampling = true;
    let nextSay = windowS / 2;
    const aggPid = p.aggregator.pid;
    const apiPid = api.child.pid;
    const sampler = (async () => {
      while (sampling) {
        const t = (performance.now() - progress.startedAt) / 1000;
        const lag = await p.lag().then(
          (x) => x.lag,
          () => null,
        );
        const s: SoakSample = { t_s: round(t, 2), published: progress.sent, lag, aggregator_rss_mb: mb(memoryOf(aggPid)?.rss), api_rss_mb: mb(memoryOf(apiPid)?.rss) };
        samples.push(s);
        if (t >= nextSay) {
          nextSay += windowS / 2;
          say(
            `soak ${clock(t)}/${clock(durationS)}: published ${s.published}/${w.order.length} (${Math.round(s.published / Math.max(0.001, t))}/s), lag ${s.lag ?? '?'}, RSS aggregator ${s.aggregator_rss_mb ?? '?'} MB, API ${s.api_rss_mb ?? '?'} MB`,
          );
        }
        await new Promise((r) => setTimeout(r, Math.max(0, sampleMs - ((performance.now() - progress.startedAt) % sampleMs))));
      }
    })();
    let published: { published: number; seconds: number };
    try {
      published = await publishWorkload(clients, p, w, { perSecond: o.rate, progress, crawlId: `bench-${tag}` });
    } finally {
      sampling = false;
      await sampler;
    }
    const lagAtEnd = (await p.lag()).lag;
    const last = samples[samples.length - 1];
    samples.push({ t_s: round(published.seconds, 2), published: progress.sent, lag: lagAtEnd, aggregator_rss_mb: mb(memoryOf(aggPid)?.rss), api_rss_mb: mb(memoryOf(apiPid)?.rss) });
    if (last && last.t_s > published.seconds) samples.sort((a, b) => a.t_s - b.t_s);
    say(`published ${published.published} messages in ${published.seconds.toFixed(1)} s (${Math.round(published.published / published.seconds)}/s); lag ${lagAtEnd}; waiting for the query load and the lag to reach 0`);

    const d0 = performance.now();
    const drained = await waitDrained(p, o.drainTimeoutSeconds);
    const drainSeconds = round((performance.now() - d0) / 1000, 1);
    const q = await queries.catch((err: unknown) => {
      say(`query load failed: ${(err as Error).message}`);
      return null;
    });
    await api.stop();
    api = undefined;
    await p.stopAggregator();
    let verification: IngestResult['verification'] = null;
    if (drained) {
      say(`lag 0 ${drainSeconds} s after publishing ended; verifying the daily counts of ${o.users} users in Cassandra`);
      verification = await p.verify(w);
    } else say(`the lag did not reach 0 within ${o.drainTimeoutSeconds} s after publishing ended`);

    const aggregator = growthOf(samples, 'aggregator_rss_mb', windowS, published.seconds);
    const apiGrowth = growthOf(samples, 'api_rss_mb', windowS, published.seconds);
    return {
      duration_s: round(published.seconds, 1),
      window_s: round(windowS, 1),
      sample_every_s: sampleMs / 1000,
      messages: published.published,
      distinct_listens: w.listens,
      publish_per_second: Math.round(published.published / published.seconds),
      samples,
      heap,
      windows: windowsOf(samples, windowS, published.seconds, heap),
      memory: {
        aggregator,
        api: apiGrowth,
        target_growth_pct: SOAK_GROWTH_TARGET_PCT,
        ok: aggregator.ok && apiGrowth.ok,
        heap_after_gc: { aggregator: heapGrowthOf(heap.aggregator, windowS, published.seconds), api: heapGrowthOf(heap.api, windowS, published.seconds) },
      },
      lag_at_end: lagAtEnd,
      drain_seconds: drainSeconds,
      drained,
      queries: q,
      verification,
    };
  } finally {
    await api?.stop().catch(() => undefined);
    if (pipe) await pipe.remove(w).catch((err: unknown) => say(`cleanup failed: ${(err as Error).message}`));
  }
}
