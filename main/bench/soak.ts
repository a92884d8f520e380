/**
 * `topk bench soak`: a sustained ingest at a steady publish rate through the
 * real aggregator child, with the real API child serving a light mixed query
 * load over the same users, sampling both processes' RSS and the consumer lag.
 * Memory growth is judged window against window: the max RSS over the second
 * window (the first one is warm-up) against the max over the last window; a
 * window is a minute (shorter runs: a fifth of the run). At the end the lag
 * must drain to 0 and every daily count must equal the generated listens.
 */
import type { Config } from '../../engine/shared/config';
import { memoryOf } from './child';
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
  windows: SoakWindow[];
  memory: { aggregator: Growth; api: Growth; target_growth_pct: number; ok: boolean };
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

export function windowsOf(samples: SoakSample[], windowS: number, durationS: number): SoakWindow[] {
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
    });
  }
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
    pipe = await startPipeline(config, clients, tag, 'soak', o.partitions);
    const p = pipe;
    api = await startServer('ours', p.config, tag);
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
      windows: windowsOf(samples, windowS, published.seconds),
      memory: { aggregator, api: apiGrowth, target_growth_pct: SOAK_GROWTH_TARGET_PCT, ok: aggregator.ok && apiGrowth.ok },
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
