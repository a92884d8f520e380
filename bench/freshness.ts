/**
 * `topk bench freshness`: how long from a listen's publish until the first API
 * answer that includes it, while the real aggregator ingests a background load
 * (default 5 000 listens/s). Probe listens (a user and song of their own,
 * listened now) are published with the crawler's publisher; the benchmark
 * follows `GET /v1/events` like the UI does and, on each event naming a
 * probe's user, asks that user's Top-K (through the cache, as a client does).
 * The probe is fresh at the first answer that counts it; probes not seen
 * within `probeTimeoutSeconds` count as missed. With `warmupSeconds`, the same
 * background load and probes run that long first and the warm-up's probes are
 * reported apart (`warmup`): a freshly started aggregator's first seconds
 * (cold code, every user's first-visit reads, the catalogue's first upserts)
 * are not its steady state.
 */
import { availableParallelism } from 'node:os';
import { ListenPublisher } from '../engine/crawler/publisher';
import type { Config } from '../engine/shared/config';
import { mapLimit } from '../engine/shared/concurrency';
import { dropMadeKeyspace, err, out, percentile, quietLog, round, runTag, startBench, table } from './bench-env';
import { cpuSecondsOf, measureCpu, stackPorts } from './cpu';
import type { CpuRole, CpuWindow } from './cpu';
import { closeClients, openClients, readStats } from './ingest';
import type { Redis } from 'ioredis';
import { createRedis } from '../engine/shared/redis';
import { redisNames } from '../engine/shared/stats';
import { startServer } from './query';
import type { Server } from './query';
import { publishWorkload, startPipeline } from './soak-pipeline';
import type { Pipeline, PublishProgress } from './soak-pipeline';
import { makeWorkload } from './workload';
import type { Workload } from './workload';

export interface FreshnessArgs {
  seconds: number;
  /** seconds of the same load and probes first, reported apart (default 0) */
  warmupSeconds?: number;
  /** background listens per second */
  rate: number;
  /** probe listens per second */
  probes: number;
  users: number;
  partitions: number;
  json: boolean;
  keyspace: string;
  /** keep a keyspace this run made (by default it is dropped at the end) */
  keepData?: boolean;
}

export const FRESHNESS_TARGET_P99_MS = 2000;

/** Times on the wall clock (epoch ms, the one clock the bench and the engine processes share). */
interface Probe {
  user: string;
  /** published during the warm-up: reported apart */
  warmup?: boolean;
  song: string;
  publishedAt: number;
  /** kafkajs handed the aggregator the batch that held it (told by the invalidation) */
  fetchedAt?: number;
  /** the aggregator published the invalidation naming its user (its chunk counted) */
  countedAt?: number;
  /** the first `/v1/events` event naming its user (or all) */
  eventAt?: number;
  seenAt?: number;
}

type ProbeTime = (p: Probe) => number | undefined;

/** From `from` to `to` of each probe seen whose both ends were observed, ascending (ms). */
function spans(probes: Probe[], from: ProbeTime, to: ProbeTime): number[] {
  return probes
    .filter((p) => p.seenAt !== undefined && from(p) !== undefined && to(p) !== undefined)
    .map((p) => to(p)! - from(p)!)
    .sort((x, y) => x - y);
}

/** A probe's way: publish → fetched → counted → event → answered, each stage named with its two ends. */
const STAGES: Array<[string, ProbeTime, ProbeTime]> = [
  ['in_kafka', (p) => p.publishedAt, (p) => p.fetchedAt],
  ['fetched_to_counted', (p) => p.fetchedAt, (p) => p.countedAt],
  ['counted_to_event', (p) => p.countedAt, (p) => p.eventAt],
  ['event_to_answer', (p) => p.eventAt, (p) => p.seenAt],
];

/** Each stage's p50/p99 over the probes seen. */
export function stageSummary(probes: Probe[]): Record<string, { p50_ms: number; p99_ms: number }> {
  const out: Record<string, { p50_ms: number; p99_ms: number }> = {};
  for (const [name, from, to] of STAGES) {
    const d = spans(probes, from, to);
    out[name] = { p50_ms: round(percentile(d, 50), 0), p99_ms: round(percentile(d, 99), 0) };
  }
  return out;
}

/** The measured stretch (after the warm-up, while the load runs): CPU by process and the aggregator's chunks. */
export interface LoadWindow {
  seconds: number;
  /** background listens published in the window */
  published: number;
  /** CPU seconds by process; `publisher` is the benchmark itself (the background load, probes and the event stream), `api` the API process */
  cpu_seconds: Partial<Record<CpuRole | 'api', number>>;
  /** all of the above per background listen, and the share of the machine's cores they kept busy */
  cpu_us_per_listen: number;
  machine_busy: number;
  /** the aggregator's chunks in the window: how many, their mean size and mean wall time from fetch to commit by stage */
  chunks: number;
  listens_per_chunk: number;
  chunk_stage_ms: Record<string, number>;
}

const STAGE_STATS = ['stage_validate_us', 'stage_dedupe_us', 'stage_raw_us', 'stage_counts_us', 'stage_commit_us'] as const;

/** Opens the window: CPU counters of every process, and the aggregator's stats, now. */
async function openWindow(pipe: Pipeline, api: Server, redis: Redis, config: Config, sent: () => number) {
  const t0 = performance.now();
  const sent0 = sent();
  const stats0 = await readStats(redis, pipe.statsKey);
  const cpu: CpuWindow = measureCpu(pipe.aggregator.pid, stackPorts(config), process.pid);
  const api0 = cpuSecondsOf(api.child.pid);
  return async (): Promise<LoadWindow> => {
    const cpuSeconds: LoadWindow['cpu_seconds'] = cpu.stop();
    const api1 = cpuSecondsOf(api.child.pid);
    if (api0 !== null && api1 !== null) cpuSeconds.api = round(api1 - api0, 2);
    const seconds = (performance.now() - t0) / 1000;
    const published = sent() - sent0;
    const stats1 = await readStats(redis, pipe.statsKey);
    const delta = (k: string): number => (stats1[k] ?? 0) - (stats0[k] ?? 0);
    const chunks = delta('batches');
    const total = Object.values(cpuSeconds).reduce((a, b) => a + (b ?? 0), 0);
    return {
      seconds: round(seconds, 1),
      published,
      cpu_seconds: cpuSeconds,
      cpu_us_per_listen: published > 0 ? round((total * 1e6) / published, 0) : 0,
      machine_busy: round(total / seconds / availableParallelism(), 2),
      chunks,
      listens_per_chunk: chunks > 0 ? round(delta('listens_ingested') / chunks, 0) : 0,
      chunk_stage_ms: Object.fromEntries(STAGE_STATS.map((k) => [k.slice('stage_'.length, -'_us'.length), chunks > 0 ? round(delta(k) / chunks / 1000, 1) : 0])),
    };
  };
}

/** p50/p99/max of the probes' publish → first answer, and how many were seen. */
function latencySummary(probes: Probe[]): { probes: number; seen: number; missed: number; p50_ms: number; p99_ms: number; max_ms: number } {
  const lat = spans(probes, (p) => p.publishedAt, (p) => p.seenAt);
  return {
    probes: probes.length,
    seen: lat.length,
    missed: probes.length - lat.length,
    p50_ms: round(percentile(lat, 50), 0),
    p99_ms: round(percentile(lat, 99), 0),
    max_ms: round(lat[lat.length - 1] ?? NaN, 0),
  };
}

/** Each probe in publish order: when it was published (ms after `startEpochMs`) and its total and per-stage times (null: not observed), to see where in a run the tail falls. */
export function probeTimeline(probes: Probe[], startEpochMs: number): Array<Record<string, number | null>> {
  const ms = (from: number | undefined, to: number | undefined): number | null => (from === undefined || to === undefined ? null : to - from);
  return probes.map((p) => ({
    t_ms: p.publishedAt - startEpochMs,
    ms: ms(p.publishedAt, p.seenAt),
    ...Object.fromEntries(STAGES.map(([name, from, to]) => [name, ms(from(p), to(p))])),
  }));
}

/** The aggregator's invalidations (what the API's cache and change feed hear): when each open probe's chunk was fetched and counted. */
async function watchCounted(config: Config, open: Map<string, Probe>): Promise<() => void> {
  const sub = createRedis(config, quietLog, { name: 'topk-bench-fresh' });
  sub.on('message', (_ch: string, message: string) => {
    const now = Date.now();
    const m = JSON.parse(message) as { users?: string[]; fetched_at?: number };
    for (const u of m.users ?? []) {
      const p = open.get(u);
      if (!p || p.countedAt !== undefined) continue;
      p.countedAt = now;
      p.fetchedAt = m.fetched_at;
    }
  });
  await sub.subscribe(redisNames(config.keyspace).invalidate);
  return () => sub.disconnect();
}

/** Follow the API's change stream; calls `onUsers` with the users of each `changed` event (every probe on `all`). */
async function follow(s: Server, onEvent: (users: string[], all: boolean) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(`${s.url}/v1/events`, { headers: { authorization: `Bearer ${s.token}` }, signal });
  if (res.status !== 200 || !res.body) throw new Error(`GET /v1/events: HTTP ${res.status}`);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (!/^event: changed$/m.test(frame)) continue;
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const e = JSON.parse(data.slice(6)) as { users: string[]; all?: boolean };
          onEvent(e.users, e.all === true);
        }
      }
    } catch {
      // aborted at the end of the run
    }
  })();
}

/** `w`: the background load, `a.rate` × (`a.seconds` + warm-up) listens. */
export async function runFreshness(a: FreshnessArgs, w: Workload, config: Config, say: (l: string) => void) {
  const tag = runTag();
  const warmupSeconds = a.warmupSeconds ?? 0;
  const clients = await openClients(config);
  let pipe: Pipeline | undefined;
  let api: Server | undefined;
  const probes: Probe[] = [];
  const ac = new AbortController();
  let stopWatching: (() => void) | undefined;
  try {
    pipe = await startPipeline(config, clients, tag, 'fresh', a.partitions);
    api = await startServer('ours', pipe.config, tag);
    const s = api;
    const open = new Map<string, Probe>();
    stopWatching = await watchCounted(pipe.config, open);
    const check = async (p: Probe): Promise<void> => {
      const res = await fetch(`${s.url}/users/${encodeURIComponent(p.user)}/topk?days=1&k=10`, { headers: { authorization: `Bearer ${s.token}` } });
      const body = (await res.json()) as { results?: Array<{ song_id: string }> };
      if (p.seenAt === undefined && body.results?.some((r) => r.song_id === p.song)) {
        p.seenAt = Date.now();
        open.delete(p.user);
      }
    };
    await follow(
      s,
      (users, all) => {
        const now = Date.now();
        const due = all ? [...open.values()] : users.map((u) => open.get(u)).filter((p): p is Probe => p !== undefined);
        for (const p of due) {
          if (p.countedAt !== undefined) p.eventAt ??= now;
          void check(p).catch(() => undefined);
        }
      },
      ac.signal,
    );
    const progress: PublishProgress = { sent: 0, startedAt: 0 };
    say(`aggregator pid ${pipe.aggregator.pid}, API pid ${s.child.pid}; ${a.rate} listens/s for ${a.seconds} s in the background, ${a.probes} probes/s`);
    const background = publishWorkload(clients, pipe, w, { perSecond: a.rate, progress, crawlId: `bench-${tag}` });
    background.catch(() => undefined);
    const publisher = new ListenPublisher(clients.kafka, pipe.config);
    const t0 = performance.now();
    const t0Epoch = Date.now();
    // probe i is due at t0 + i/P whatever happened before: a publish that lags delays the probes after it
    // instead of dropping them, so the slow stretches of a run are sampled as often as the rest
    const warmupProbes = Math.round(warmupSeconds * a.probes);
    const total = warmupProbes + Math.round(a.seconds * a.probes);
    let closeWindow: (() => Promise<LoadWindow>) | undefined;
    let window: LoadWindow | undefined;
    try {
      for (let i = 0; i < total; i++) {
        if (i === warmupProbes) closeWindow = await openWindow(pipe, s, clients.redis, pipe.config, () => progress.sent);
        const p: Probe = { user: `bench-${tag}-probe${i}`, song: `probe-${tag}-${i}`, publishedAt: Date.now(), ...(i < warmupProbes ? { warmup: true } : {}) };
        probes.push(p);
        open.set(p.user, p);
        await publisher.publish([ListenPublisher.toEvent(p.user, 'simulator', { listened_at: Date.now(), song_id: p.song, title: 'probe', artist: 'bench' }, `bench-${tag}`, Date.now())]);
        const next = t0 + ((i + 1) * 1000) / a.probes;
        await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
        if ((i + 1) % Math.max(1, a.probes * 5) === 0) say(`freshness: ${i + 1} probes, ${probes.filter((x) => x.seenAt !== undefined).length} seen; background published ${progress.sent}`);
      }
      window = await closeWindow?.();
    } finally {
      await publisher.close();
    }
    const backgroundSent = progress.sent;
    const backgroundRate = backgroundSent / ((performance.now() - t0) / 1000);
    // the last probes get their time to show up
    const deadline = performance.now() + 30_000;
    while (open.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    const measured = probes.filter((p) => !p.warmup);
    const lag = await pipe.lag();
    // the probe users go the way every user goes (GDPR delete: rows, counts, cache)
    await mapLimit(probes, 8, (p) => fetch(`${s.url}/v1/users/${encodeURIComponent(p.user)}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } }).then((r) => r.arrayBuffer()));
    return {
      ...latencySummary(measured),
      stages: stageSummary(measured),
      ...(warmupSeconds > 0 ? { warmup: { seconds: warmupSeconds, ...latencySummary(probes.filter((p) => p.warmup)) } } : {}),
      background_offered_per_second: a.rate,
      background_published: backgroundSent,
      background_published_per_second: Math.round(backgroundRate),
      lag_at_end: lag.lag,
      ...(window ? { window } : {}),
      timeline: probeTimeline(probes, t0Epoch),
    };
  } finally {
    ac.abort();
    stopWatching?.();
    await api?.stop().catch(() => undefined);
    await pipe?.remove(w).catch(() => undefined);
    await closeClients(clients);
  }
}

export async function benchFreshness(a: FreshnessArgs): Promise<number> {
  // the workload before the keyspace: one its users cannot fill is refused with nothing made
  const w = makeWorkload({ n: Math.ceil(a.rate * (a.seconds + (a.warmupSeconds ?? 0))), users: a.users, days: 7, dupFraction: 0 });
  const { say, config, env, made } = await startBench(a.keyspace);
  let r: Awaited<ReturnType<typeof runFreshness>>;
  try {
    r = await runFreshness(a, w, config, say);
  } finally {
    // each run's tables and the tombstones of its probe users' deletion would otherwise stay, and every later
    // run on this Cassandra would pay for flushing and compacting them (Cassandra's CPU a listen rose run by run)
    await dropMadeKeyspace(config, made, a.keepData, say);
  }
  const loadAfter = (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100);
  const failures: string[] = [];
  if (r.seen === 0) failures.push('no probe was ever seen in an answer');
  const report = {
    benchmark: 'freshness',
    params: { seconds: a.seconds, warmup_seconds: a.warmupSeconds ?? 0, rate: a.rate, probes_per_second: a.probes, users: a.users, partitions: a.partitions, keyspace: config.keyspace },
    environment: env,
    load_avg_after: loadAfter,
    ...r,
    target_p99_ms: FRESHNESS_TARGET_P99_MS,
    met_p99: r.missed === 0 && r.p99_ms <= FRESHNESS_TARGET_P99_MS,
    ok: failures.length === 0,
  };
  if (a.json) out(JSON.stringify(report, null, 2));
  else {
    out(`freshness benchmark: ${JSON.stringify(report.params)}  (load avg before ${env.load_avg.join(' ')}, after ${loadAfter.join(' ')})`);
    out(
      table([
        ['probes', 'seen', 'missed', 'p50 ms', 'p99 ms', 'max ms', 'background published/s', 'lag at end'],
        [r.probes, r.seen, r.missed, r.p50_ms, r.p99_ms, r.max_ms, r.background_published_per_second, r.lag_at_end],
        ...(r.warmup ? [[`warm-up ${r.warmup.probes}`, r.warmup.seen, r.warmup.missed, r.warmup.p50_ms, r.warmup.p99_ms, r.warmup.max_ms, '', '']] : []),
      ]),
    );
    out(
      table([
        ['stage (ms)', ...Object.keys(r.stages)],
        ['p50', ...Object.values(r.stages).map((x) => x.p50_ms)],
        ['p99', ...Object.values(r.stages).map((x) => x.p99_ms)],
      ]),
    );
    const win = r.window;
    if (win) {
      const by = Object.entries(win.cpu_seconds).map(([role, sec]) => `${role} ${Math.round(((sec ?? 0) * 1e6) / Math.max(1, win.published))}`);
      out(`measured ${win.seconds} s: ${win.cpu_us_per_listen} µs of CPU a background listen (${by.join(', ')}), the machine ${Math.round(win.machine_busy * 100)} % busy`);
      out(`aggregator: ${win.chunks} chunks of ${win.listens_per_chunk} listens on average; ms a chunk: ${Object.entries(win.chunk_stage_ms).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  }
  if (failures.length) {
    err(`topk bench freshness: FAILED — ${failures.join('; ')}`);
    return 1;
  }
  return 0;
}
