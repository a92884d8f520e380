/**
 * `topk bench ingest|query|load|soak`: the benchmarks (BENCHMARKS.md). They run against
 * the stack from config (TOPK_KAFKA_BROKERS, TOPK_CASSANDRA_CONTACT_POINTS,
 * TOPK_REDIS_URL or the defaults), in a keyspace of their own (`topk_bench`)
 * with fresh topics, groups, user ids and keys per run.
 */
import { UsageError, refuseExtraArgs, runWithArgs } from '../cli-args';
import { DEFAULT_BENCH_KEYSPACE } from '../../../bench/bench-env';
import type { IngestArgs } from '../../../bench/ingest-command';

export const BENCH_USAGE = `usage:
  topk bench ingest --listens N --users U [--days D] [--partitions P] [--duplicates F] [--baseline] [--baseline-seconds S] [--keep-data] [--keyspace NAME] [--json]
  topk bench query --seconds S --connections C [--scope user|friends|global] [--users U] [--tracks-per-day T] [--friends N] [--rate R [--warmup S]] [--baseline] [--keyspace NAME] [--json]
  topk bench load --seconds S --connections C [--users U] [--listens N] [--timeout S] [--keyspace NAME] [--json]
  topk bench freshness [--seconds S] [--warmup S] [--rate R] [--probes P] [--users U] [--partitions P] [--keep-data] [--keyspace NAME] [--json]
  topk bench soak [--minutes M] [--rate R] [--users U] [--days D] [--partitions P] [--duplicates F] [--query-rate Q] [--keyspace NAME] [--json]

ingest: publishes N simulated listens (+ F·N re-crawled copies, default F=0.05) for U users over D days
        as the crawler does, runs the aggregator until its lag is 0, verifies every daily count; first measures
        the floor (the same listens and their counter updates written raw in per-partition batches) and reports
        the end-to-end rate as a share of it (ratios.to_floor, target ≥ 0.25). A keyspace the run makes is
        dropped at its end (--keep-data keeps it and the rows).
query:  Top-K under load: cache hits, Redis-only hits, misses; every answer checked against a full ranking.
        --scope user (default): GET /users/{id}/topk?days=7&k=10 over U users (default 100) with T tracks a day (default 1000);
        friends: /v1/users/{id}/friends/top/tracks for U viewers following N of the U users each (default 50);
        global: /v1/top/tracks over T songs a day (default 100000) × 7 days added to the keyspace's global counts.
        --rate R: open loop, R requests/s offered over up to C connections, latency from each request's scheduled time;
        --warmup S: each phase first runs the same load for S seconds (default 0), reported apart ("warmup").
load:   the API's read routes mixed (Top-K hits and misses, windows, global, recent listens, /healthz) under C
        connections for S seconds, over N listens (default 40000) of U users (default 200) ingested by the
        aggregator; any non-2xx, timeout (default 10 s) or reset fails.
freshness: S seconds (default 30) of R background listens/s (default 5000) through the aggregator; P probe listens/s
        (default 2) followed on GET /v1/events: publish → first API answer that includes it, p50/p99 (target p99 ≤ 2 s);
        --warmup S: the same load and probes run S seconds first (default 0), their probes reported apart ("warmup").
        Also reports the measured stretch's CPU by process a background listen and the aggregator's chunks
        ("window"). A keyspace the run makes is dropped at its end (--keep-data keeps it).
soak:   M minutes (default 10) of ingest at R messages/s (default 500) through the aggregator while the API
        serves Q mixed queries/s (default 20); RSS of both after warm-up vs the last minute (≤ 10 % growth),
        lag 0 at the end, every daily count verified.
--baseline runs the same workload through the seed's design in the same run.`;

/** A decimal number (e.g. --minutes 0.5). */
function num(name: string, v: string | undefined, dflt: number, lo: number, hi: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || n < lo || n > hi) throw new UsageError(`--${name} must be a number between ${lo} and ${hi}, got ${JSON.stringify(v)}\n${BENCH_USAGE}`);
  return n;
}

function int(name: string, v: string | undefined, dflt: number | undefined, lo: number, hi: number): number {
  if (v === undefined) {
    if (dflt === undefined) throw new UsageError(`--${name} is required\n${BENCH_USAGE}`);
    return dflt;
  }
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < lo || n > hi) throw new UsageError(`--${name} must be an integer between ${lo} and ${hi}, got ${JSON.stringify(v)}\n${BENCH_USAGE}`);
  return n;
}

/** A fraction between 0 and 1 (e.g. --duplicates 0.05). */
function fraction(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name} must be a fraction between 0 and 1, got ${JSON.stringify(v)}\n${BENCH_USAGE}`);
  return n;
}

/** The flags of `topk bench ingest`, validated (UsageError names the flag). */
export function ingestArgs(values: Record<string, string | boolean | undefined>, keyspace: string): IngestArgs {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  return {
    listens: int('listens', str('listens'), undefined, 1, 50_000_000),
    users: int('users', str('users'), undefined, 1, 1_000_000),
    days: int('days', str('days'), 7, 1, 3650),
    partitions: int('partitions', str('partitions'), 6, 1, 1000),
    duplicates: fraction('duplicates', str('duplicates'), 0.05),
    baseline: values.baseline === true,
    baselineSeconds: int('baseline-seconds', str('baseline-seconds'), 120, 1, 86_400),
    json: values.json === true,
    keyspace,
    keepData: values['keep-data'] === true,
  };
}

const BENCH_FLAGS = {
  listens: { type: 'string' },
  users: { type: 'string' },
  days: { type: 'string' },
  partitions: { type: 'string' },
  duplicates: { type: 'string' },
  seconds: { type: 'string' },
  connections: { type: 'string' },
  'tracks-per-day': { type: 'string' },
  'baseline-seconds': { type: 'string' },
  baseline: { type: 'boolean' },
  json: { type: 'boolean' },
  'keep-data': { type: 'boolean' },
  keyspace: { type: 'string' },
  minutes: { type: 'string' },
  rate: { type: 'string' },
  'query-rate': { type: 'string' },
  scope: { type: 'string' },
  probes: { type: 'string' },
  friends: { type: 'string' },
  timeout: { type: 'string' },
  warmup: { type: 'string' },
} as const;

export async function run(args: string[]): Promise<number> {
  return runWithArgs(args, BENCH_FLAGS, BENCH_USAGE, async ({ values, positionals }) => {
    const [which] = positionals;
    refuseExtraArgs(positionals, BENCH_USAGE, 1);
    const keyspace = values.keyspace ?? DEFAULT_BENCH_KEYSPACE;
    if (!/^[A-Za-z][A-Za-z0-9_]{0,47}$/.test(keyspace)) throw new UsageError(`--keyspace ${JSON.stringify(keyspace)} is not a valid keyspace name\n${BENCH_USAGE}`);
    // after the arguments are validated (a usage error stays instant), before a benchmark starts engines
    const engines = async (): Promise<void> => {
      const { prepareEngines } = await import('../../../bench/child');
      const { benchConfig } = await import('../../../bench/bench-env');
      await prepareEngines((line) => {
        if (values.json !== true) process.stderr.write(`${line}\n`);
      }, benchConfig(keyspace));
    };
    /** every benchmark's output mode and keyspace */
    const common = { json: values.json === true, keyspace };
    /** starts the engines once the flags are checked, then the benchmark */
    const start = async <A>(bench: (args: A) => Promise<number>, args: A): Promise<number> => {
      await engines();
      return bench(args);
    };
    if (which === 'ingest') {
      const args = ingestArgs(values, keyspace);
      const { benchIngest } = await import('../../../bench/ingest-command');
      return start(benchIngest, args);
    }
    if (which === 'query') {
      const { benchQuery } = await import('../../../bench/query-command');
      const scope = (values.scope ?? 'user') as 'user' | 'friends' | 'global';
      if (!['user', 'friends', 'global'].includes(scope)) throw new UsageError(`--scope must be user, friends or global, got ${JSON.stringify(scope)}\n${BENCH_USAGE}`);
      const users = int('users', values.users, 100, 1, 100_000);
      if (values.warmup !== undefined && values.rate === undefined) throw new UsageError(`--warmup needs --rate (it warms the open loop)\n${BENCH_USAGE}`);
      return start(benchQuery, {
        seconds: int('seconds', values.seconds, undefined, 1, 3600),
        connections: int('connections', values.connections, undefined, 1, 10_000),
        scope,
        users,
        tracksPerDay: int('tracks-per-day', values['tracks-per-day'], scope === 'global' ? 100_000 : 1000, 1, 1_000_000),
        friends: int('friends', values.friends, Math.min(50, users), 1, users),
        ...(values.rate !== undefined ? { rate: int('rate', values.rate, undefined, 1, 1_000_000), warmupSeconds: num('warmup', values.warmup, 0, 0, 600) } : {}),
        baseline: values.baseline === true,
        ...common,
      });
    }
    if (which === 'load') {
      const { benchLoad } = await import('../../../bench/load-command');
      return start(benchLoad, {
        seconds: int('seconds', values.seconds, undefined, 1, 3600),
        connections: int('connections', values.connections, undefined, 1, 10_000),
        users: int('users', values.users, 200, 1, 100_000),
        listens: int('listens', values.listens, 40_000, 1, 10_000_000),
        timeoutSeconds: int('timeout', values.timeout, 10, 1, 600),
        ...common,
      });
    }
    if (which === 'freshness') {
      const { benchFreshness } = await import('../../../bench/freshness');
      return start(benchFreshness, {
        seconds: int('seconds', values.seconds, 30, 1, 3600),
        warmupSeconds: num('warmup', values.warmup, 0, 0, 600),
        rate: int('rate', values.rate, 5000, 1, 1_000_000),
        probes: int('probes', values.probes, 2, 1, 100),
        users: int('users', values.users, 200, 1, 100_000),
        partitions: int('partitions', values.partitions, 6, 1, 1000),
        keepData: values['keep-data'] === true,
        ...common,
      });
    }
    if (which === 'soak') {
      const duplicates = fraction('duplicates', values.duplicates, 0.05);
      const { benchSoak } = await import('../../../bench/soak-command');
      return start(benchSoak, {
        minutes: num('minutes', values.minutes, 10, 0.05, 1440),
        rate: int('rate', values.rate, 500, 1, 1_000_000),
        users: int('users', values.users, 200, 1, 100_000),
        days: int('days', values.days, 7, 1, 3650),
        partitions: int('partitions', values.partitions, 6, 1, 1000),
        duplicates,
        queryRate: int('query-rate', values['query-rate'], 20, 1, 100_000),
        ...common,
      });
    }
    throw new UsageError(`${which === undefined ? 'which benchmark?' : `unknown benchmark "${which}"`}\n${BENCH_USAGE}`);
  });
}
