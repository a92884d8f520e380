/** `topk bench query`: phases, table or JSON output. */
import { createRedis } from '../engine/shared/redis';
import { RankedSets } from '../engine/shared/ranked-sets';
import { createCassandra } from '../engine/shared/cassandra';
import { err, out, quietLog, ratio, round, runTag, startBench, table } from './bench-env';
import type { LoadResult } from './load-worker';
import { load, startServer, warm } from './query';
import { checkAnswers, QUERY_DAYS, QUERY_K, setupScope } from './query-scopes';
import type { QueryScope, ScopeSetup } from './query-scopes';
import type { Server } from './query';
import { measureCpu, stackPorts } from './cpu';
import type { CpuRole } from './cpu';
import { summariseApiLoop, withApiLoop } from './api-loop';
import type { ApiLoopSummary, TimelineWithApi } from './api-loop';

/** The API's count of answers ranked from every counter because the ranked sets could not serve them. */
async function rankedFallbacks(s: Server): Promise<number> {
  const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.token}` } });
  const m = /^topk_ranked_fallbacks_total (\d+)/m.exec(await res.text());
  return m ? Number(m[1]) : NaN;
}

export interface QueryArgs {
  seconds: number;
  connections: number;
  users: number;
  tracksPerDay: number;
  scope: QueryScope;
  /** followed users per viewer (scope friends) */
  friends: number;
  /** open loop: offered requests per second (latency from each request's scheduled time); closed loop when absent */
  rate?: number;
  /** open loop: seconds of the same load run first and reported on their own (`warmup` of each phase) */
  warmupSeconds?: number;
  baseline: boolean;
  json: boolean;
  keyspace: string;
}

/** issue 19's targets: misses per scope, hits at 5 000 req/s offered */
export const TARGETS = { hit_p99_ms: 5, hit_offered_rate: 5_000, miss_p99_ms: { user: 50, friends: 100, global: 100 } as Record<QueryScope, number>, user_misses_per_second: 500 };

type Phase = 'hits' | 'redis_hits' | 'misses';

/** A load phase, with the CPU each process spent per request (API = "engine"): less sensitive to a busy machine than req/s. */
type PhaseResult = Omit<LoadResult, 'timeline'> & { cpu_us_per_request: Partial<Record<CpuRole, number>>; api_loop: ApiLoopSummary; timeline?: TimelineWithApi[] };

export async function benchQuery(a: QueryArgs): Promise<number> {
  const { say, config, env } = await startBench(a.keyspace);
  const tag = runTag();
  const db = createCassandra(config, quietLog);
  await db.connect();
  const redis = createRedis(config, quietLog);
  const ours: Partial<Record<Phase, PhaseResult>> = {};
  const seed: Partial<Record<Phase, PhaseResult>> = {};
  const rss: Record<string, number> = {};
  const fallbacks: Record<string, number> = {};
  /** the API's warnings and errors on the progress output (the first few of each message) */
  const watch = (s: Server, name: string): void => {
    const seen = new Map<string, number>();
    s.child.onLine((o) => {
      if (typeof o.level !== 'number' || o.level < 40) return;
      const msg = String(o.msg);
      const n = (seen.get(msg) ?? 0) + 1;
      seen.set(msg, n);
      if (n <= 3) say(`${name} API ${o.level >= 50 ? 'error' : 'warning'}: ${msg}${o.err ? ` (${typeof o.err === 'string' ? o.err : JSON.stringify(o.err)})` : ''}${n === 3 ? ' (further ones not shown)' : ''}`);
    });
  };
  let setup: ScopeSetup | undefined;
  const failures: string[] = [];
  const checks: Record<string, { checked: number; exact: number; differences: string[] }> = {};
  try {
    const t0 = performance.now();
    setup = await setupScope(db, { scope: a.scope, prefix: `bench-${tag}-q`, users: a.users, tracksPerDay: a.tracksPerDay, friends: a.friends, say, ranked: new RankedSets(redis, config.keyspace) });
    say(`seeded scope ${a.scope}: ${setup.counters} counters, ${setup.paths.length} paths, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const paths = setup.paths;
    const job = (s: Server, extraQuery: string) => ({
      url: s.url,
      token: s.token,
      users: [],
      // the open loop compares a sample of the answers under load with the full ranking too
      routes: paths.map((p) => ({ kind: a.scope, path: `${p}${extraQuery}`, expect: setup!.expected.get(p) })),
      extraQuery: '',
      connections: a.connections,
      seconds: a.seconds,
      ...(a.rate ? { rate: a.rate, ...(a.warmupSeconds ? { warmupSeconds: a.warmupSeconds } : {}) } : {}),
    });
    /** every path answered exactly (full ranking of the same run), from the cache and past it */
    const check = async (s: Server, name: string): Promise<void> => {
      for (const [label, extra] of [['cached', ''], ['bypass', '&cache=bypass']] as const) {
        const c = await checkAnswers(s.url, s.token, setup!, extra);
        checks[`${name}_${label}`] = c;
        if (c.differences.length) failures.push(`${name} (${label}): ${c.differences.length} answers differ from the full ranking, first: ${c.differences[0]}`);
      }
    };
    const phase = async (s: Server, name: string, extraQuery: string): Promise<PhaseResult> => {
      say(`${name}: ${a.rate ? `${a.rate} req/s offered over up to ` : ''}${a.connections} connections for ${a.seconds} s`);
      const cpu = measureCpu(s.child.pid, stackPorts(config));
      const from = Date.now();
      const loaded = await load(job(s, extraQuery));
      const used = cpu.stop();
      // the probe's last window of the phase ends up to 250 ms after it
      await new Promise((res) => setTimeout(res, 300));
      const loop = s.loop.between(from, Date.now());
      const { timeline, ...rest } = loaded;
      const r: PhaseResult = {
        ...rest,
        // the processes' CPU is measured over the whole load, warm-up included: per request of both
        cpu_us_per_request: Object.fromEntries(Object.entries(used).map(([role, sec]) => [role, Math.round((sec * 1e6) / Math.max(1, loaded.requests + (loaded.warmup?.requests ?? 0)))])),
        api_loop: summariseApiLoop(loop),
        ...(timeline && loaded.t0_epoch_ms !== undefined ? { timeline: withApiLoop(timeline, loaded.t0_epoch_ms, loop) } : {}),
      };
      const l = r.api_loop;
      say(`${name}: ${r.requests_per_second} req/s, p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms, p99 ${r.p99_ms} ms${r.non2xx || r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : ''}`);
      say(`${name}: API loop delay worst p99 ${l.delay_p99_worst_ms} ms, max ${l.delay_max_ms} ms; GC ${l.gc_count} pauses (${l.gc_major} mark-compact), ${l.gc_ms} ms in all, longest ${l.gc_max_ms} ms${r.generator_loop_delay ? `; generator loop delay p99 ${r.generator_loop_delay.p99_ms} ms, max ${r.generator_loop_delay.max_ms} ms` : ''}`);
      if (r.non2xx || r.errors || r.requests === 0) failures.push(`${name}: ${r.requests} requests, ${r.non2xx} non-2xx, ${r.errors} errors`);
      const w = r.warmup;
      if (w) {
        say(`${name}: warm-up (${w.seconds} s, not in the figures above): ${w.requests} requests, p50 ${w.p50_ms} ms, p95 ${w.p95_ms} ms, p99 ${w.p99_ms} ms, max ${w.max_ms} ms, max queued ${w.max_queued}`);
        if (w.non2xx || w.errors) failures.push(`${name} warm-up: ${w.requests} requests, ${w.non2xx} non-2xx, ${w.errors} errors`);
      }
      const sampled = r.answers_checked;
      if (sampled && sampled.exact < sampled.checked) failures.push(`${name}: ${sampled.checked - sampled.exact} of ${sampled.checked} sampled answers differ from the full ranking, first: ${sampled.differences[0]}`);
      return r;
    };

    let s = await startServer('ours', config, tag);
    watch(s, 'ours');
    try {
      await check(s, 'ours');
      await warm(s.url, s.token, paths);
      ours.hits = await phase(s, 'ours, cache hits (LRU)', '');
      ours.misses = await phase(s, 'ours, misses (cache bypassed)', '&cache=bypass');
      rss.ours = round(s.mem.peak() / 2 ** 20, 1);
      fallbacks.ours = await rankedFallbacks(s);
    } finally {
      await s.stop();
    }
    s = await startServer('ours-redis-only', config, tag);
    watch(s, 'ours-redis-only');
    try {
      await warm(s.url, s.token, paths);
      ours.redis_hits = await phase(s, 'ours, Redis-only hits (LRU off)', '');
      rss.ours_redis_only = round(s.mem.peak() / 2 ** 20, 1);
      fallbacks.ours_redis_only = await rankedFallbacks(s);
    } finally {
      await s.stop();
    }
    if (a.baseline && a.scope === 'user') {
      s = await startServer('seed', config, tag);
      try {
        await check(s, 'seed');
        await warm(s.url, s.token, paths);
        seed.hits = await phase(s, 'seed design, cache hits (Redis)', '');
        seed.redis_hits = seed.hits;
        seed.misses = await phase(s, 'seed design, misses (sequential day reads)', '&cache=bypass');
        rss.seed = round(s.mem.peak() / 2 ** 20, 1);
      } finally {
        await s.stop();
      }
    }
  } finally {
    await setup?.cleanup().catch(() => undefined);
    await db.shutdown().catch(() => undefined);
    redis.disconnect();
  }
  const report = {
    benchmark: 'query',
    run: tag,
    params: {
      scope: a.scope,
      seconds: a.seconds,
      connections: a.connections,
      rate: a.rate ?? null,
      warmup_seconds: a.rate ? (a.warmupSeconds ?? 0) : null,
      users: a.scope === 'global' ? null : a.users,
      friends: a.scope === 'friends' ? a.friends : null,
      tracks_per_day: a.tracksPerDay,
      days: QUERY_DAYS,
      k: QUERY_K,
      keyspace: config.keyspace,
    },
    environment: env,
    ours,
    baseline: a.baseline && a.scope === 'user' ? seed : null,
    answers_checked: checks,
    ratios: a.baseline && a.scope === 'user'
      ? Object.fromEntries(
          (['hits', 'redis_hits', 'misses'] as Phase[]).map((p) => [
            p,
            {
              requests_per_second: round((ours[p]?.requests_per_second ?? 0) / Math.max(1, seed[p]?.requests_per_second ?? 0), 1),
              p99: round((seed[p]?.p99_ms ?? 0) / Math.max(0.01, ours[p]?.p99_ms ?? 0), 1),
            },
          ]),
        )
      : null,
    api_peak_rss_mb: rss,
    // answers the API ranked from every counter because the ranked sets could not serve them (0 is the design)
    ranked_fallbacks: fallbacks,
    targets: {
      miss_p99_ms: TARGETS.miss_p99_ms[a.scope],
      met_miss_p99: (ours.misses?.p99_ms ?? Infinity) <= TARGETS.miss_p99_ms[a.scope],
      ...(a.scope === 'user' ? { misses_per_second: TARGETS.user_misses_per_second, met_misses_per_second: (ours.misses?.requests_per_second ?? 0) >= TARGETS.user_misses_per_second } : {}),
      hit_p99_ms: TARGETS.hit_p99_ms,
      hit_offered_rate: TARGETS.hit_offered_rate,
      // the hit target holds at an offered 5 000 req/s: only an open-loop run at that rate or above can meet it
      met_hit_p99: (a.rate ?? 0) >= TARGETS.hit_offered_rate && (ours.hits?.p99_ms ?? Infinity) <= TARGETS.hit_p99_ms,
    },
    ok: failures.length === 0,
  };
  if (a.json) out(JSON.stringify(report, null, 2));
  else {
    out(`query benchmark: ${JSON.stringify(report.params)}  (load avg ${env.load_avg.join(' ')})`);
    out(`answers checked against the full ranking: ${Object.entries(checks).map(([k, c]) => `${k} ${c.exact}/${c.checked} exact`).join(', ')}`);
    const rows: Array<Array<string | number>> = [['', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'API CPU µs/req', 'Cassandra µs/req', 'load generator µs/req', ...(a.baseline ? ['seed req/s', 'seed p99 ms', 'req/s ratio', 'p99 ratio'] : [])]];
    const names: Record<Phase, string> = { hits: 'cache hits', redis_hits: 'Redis-only hits', misses: 'misses (bypass)' };
    for (const p of ['hits', 'redis_hits', 'misses'] as Phase[]) {
      const o = ours[p];
      const b = seed[p];
      rows.push([
        names[p],
        o?.requests_per_second ?? '–',
        o?.p50_ms ?? '–',
        o?.p95_ms ?? '–',
        o?.p99_ms ?? '–',
        o?.cpu_us_per_request.engine ?? '–',
        o?.cpu_us_per_request.cassandra ?? '–',
        o?.generator_cpu_us_per_request ?? '–',
        ...(a.baseline ? [b?.requests_per_second ?? '–', b?.p99_ms ?? '–', ratio(o?.requests_per_second ?? 0, b?.requests_per_second ?? 0, true), ratio(o?.p99_ms ?? 0, b?.p99_ms ?? 0, false)] : []),
      ]);
    }
    out(table(rows));
    out(`API peak RSS: ${Object.entries(rss).map(([k, v]) => `${k} ${v} MB`).join(', ')}`);
    out(`answers ranked from every counter (ranked sets unavailable): ${Object.entries(fallbacks).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  if (failures.length) {
    err(`topk bench query: FAILED — ${failures.join('; ')}`);
    return 1;
  }
  return 0;
}
