/** `topk bench ingest`: options, the two designs in one run, table or JSON output. */
import { benchConfig, benchProgress, dropKeyspace, dropMadeKeyspace, err, out, prepareKeyspace, quietLog, ratio, refuseDaysBeyondRetention, round, runTag, startBench, table, DEFAULT_BENCH_KEYSPACE } from './bench-env';
import { createCassandra } from '../engine/shared/cassandra';
import type { Config } from '../engine/shared/config';
import { closeClients, cpuUsPerListen, openClients, runIngest } from './ingest';
import type { IngestResult } from './ingest';
import { floorRatio, runFloor } from './ingest-floor';
import type { FloorResult } from './ingest-floor';
import { stackPorts } from './cpu';
import { makeWorkload } from './workload';
import type { Workload } from './workload';
import type { CpuRole } from './cpu';

export interface IngestArgs {
  listens: number;
  users: number;
  days: number;
  partitions: number;
  duplicates: number;
  baseline: boolean;
  json: boolean;
  keyspace: string;
  baselineSeconds: number;
  keepData: boolean;
}

export const INGEST_TARGET_PER_SECOND = 12_150;
export const RSS_TARGET_MB = 200;
/** our end-to-end rate must be at least this share of the floor measured in the same run */
export const FLOOR_RATIO_TARGET = 0.25;

export async function benchIngest(a: IngestArgs): Promise<number> {
  const keyspace = a.keyspace ?? DEFAULT_BENCH_KEYSPACE;
  refuseDaysBeyondRetention(keyspace, a.days);
  // the workload before the keyspace: one its users cannot fill is refused with nothing made
  const t0 = performance.now();
  const w = makeWorkload({ n: a.listens, users: a.users, days: a.days, dupFraction: a.duplicates });
  benchProgress(`generated ${w.listens} listens for ${a.users} users over ${a.days} days (+${w.order.length - w.listens} re-crawled copies) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const { say: progress, config, env, made } = await startBench(keyspace);
  const tag = runTag();
  const clients = await openClients(config);
  const results: IngestResult[] = [];
  let floor: FloorResult;
  try {
    // the floor first: the same distinct listens and the counters they need, written the plainest way
    floor = await measureFloor(a, config, w, `bench-${tag}-floor-u`);
    results.push(await runIngest('ours', w, config, clients, tag, { partitions: a.partitions, progress, drainTimeoutSeconds: 600, keepData: a.keepData }));
    if (a.baseline) {
      results.push(await runIngest('seed', w, config, clients, tag, { partitions: a.partitions, progress, drainTimeoutSeconds: a.baselineSeconds, keepData: a.keepData }));
    }
  } finally {
    await closeClients(clients);
    await dropMadeKeyspace(config, made, a.keepData, progress);
  }
  const ours = results[0]!;
  const seed = results[1];
  const ok = ours.complete && ours.verification?.ok === true;
  const report = {
    benchmark: 'ingest',
    run: tag,
    params: { listens: a.listens, users: a.users, days: a.days, partitions: a.partitions, duplicates: a.duplicates, keyspace: config.keyspace },
    environment: env,
    ours,
    baseline: seed ?? null,
    floor,
    ratios: {
      to_floor: floorRatio(ours.end_to_end_per_second, floor),
      ...(seed
        ? { end_to_end: round(ours.end_to_end_per_second / Math.max(1, seed.end_to_end_per_second), 1), peak_rss: round(ours.peak_rss_mb / Math.max(1, seed.peak_rss_mb), 2) }
        : {}),
    },
    targets: {
      floor_ratio: FLOOR_RATIO_TARGET,
      met_floor_ratio: (floorRatio(ours.end_to_end_per_second, floor) ?? 0) >= FLOOR_RATIO_TARGET,
      end_to_end_per_second: INGEST_TARGET_PER_SECOND,
      met_throughput: ours.end_to_end_per_second >= INGEST_TARGET_PER_SECOND,
      peak_rss_mb: RSS_TARGET_MB,
      met_memory: ours.peak_rss_mb < RSS_TARGET_MB,
    },
    counts_exact: ok,
  };
  if (a.json) out(JSON.stringify(report, null, 2));
  else printIngest(report.params, ours, seed, floor, env.load_avg);
  if (!ok) {
    const v = ours.verification;
    err(
      !ours.complete
        ? `topk bench ingest: FAILED — the aggregator did not drain the topic (lag ${ours.published - ours.consumed})`
        : `topk bench ingest: FAILED — ${v?.mismatches} daily count(s) in Cassandra differ from the generated listens:\n  ${v?.examples.join('\n  ')}`,
    );
    return 1;
  }
  return 0;
}

/** The floor's own keyspace: a name no run of ours writes (Cassandra allows 48 characters). */
export function floorKeyspace(keyspace: string): string {
  return `${keyspace.slice(0, 36)}_bench_floor`;
}

/**
 * The floor, written into a scratch keyspace that is dropped before our run: its rows then leave
 * nothing in Cassandra's memtables to flush and compact while ours is measured (deleting them, as
 * runs before did, added tombstones to the same tables instead).
 */
async function measureFloor(a: IngestArgs, config: Config, w: Workload, userPrefix: string): Promise<FloorResult> {
  const scratch = benchConfig(floorKeyspace(config.keyspace));
  await dropKeyspace(scratch);
  benchProgress(`[floor] scratch keyspace ${scratch.keyspace}: migrating`);
  await prepareKeyspace(scratch);
  const db = createCassandra(scratch, quietLog);
  try {
    await db.connect();
    benchProgress(`[floor] writing ${w.listens} raw listens in per-partition batches, then their counter updates`);
    const floor = await runFloor(db, w, userPrefix, config.retentionDays, stackPorts(config));
    benchProgress(`[floor] ${floor.listens_per_second} listens/s (raw ${floor.raw_seconds} s, ${floor.counter_updates} counter updates ${floor.counter_seconds} s)`);
    return floor;
  } finally {
    await db.shutdown().catch(() => undefined);
    if (!a.keepData) await dropKeyspace(scratch);
  }
}

function printIngest(p: Record<string, unknown>, ours: IngestResult, seed: IngestResult | undefined, floor: FloorResult, load: number[]): void {
  const rows: Array<Array<string | number>> = [['', 'ours', ...(seed ? ['seed design', 'ours/seed'] : [])]];
  const add = (name: string, a: number | string, b?: number | string, r?: string): void => {
    rows.push([name, a, ...(seed ? [b ?? '', r ?? ''] : [])]);
  };
  add('messages published', ours.published, seed?.published);
  add('publish rate (msg/s)', ours.publish_per_second, seed?.publish_per_second, seed && ratio(ours.publish_per_second, seed.publish_per_second, true));
  add(
    'end to end (listens/s)',
    ours.end_to_end_per_second,
    seed ? `${seed.end_to_end_per_second}${seed.complete ? '' : ` (partial: ${seed.consumed}/${seed.published})`}` : undefined,
    seed && ratio(ours.end_to_end_per_second, seed.end_to_end_per_second, true),
  );
  add('end to end (s)', ours.end_to_end_seconds, seed?.end_to_end_seconds);
  add('aggregator peak RSS (MB)', ours.peak_rss_mb, seed?.peak_rss_mb);
  // CPU per listen of each process: on one small machine the busiest one is the limit
  const perListen = (r: IngestResult | undefined, role: CpuRole): string | undefined => {
    const s = r?.cpu_seconds[role];
    return s === undefined || !r ? undefined : `${Math.round(cpuUsPerListen(role, s, r.consumed, r.published))}`;
  };
  for (const role of ['engine', 'cassandra', 'kafka', 'redis', 'publisher'] as CpuRole[]) {
    if (ours.cpu_seconds[role] !== undefined) add(`${role === 'engine' ? 'aggregator' : label(role)} CPU (µs/listen)`, perListen(ours, role) ?? '', perListen(seed, role));
  }
  if (ours.cpu_bound) {
    add('all of them (µs/listen)', ours.cpu_bound.us_per_listen, seed?.cpu_bound?.us_per_listen);
    add(`CPU-bound rate on ${ours.cpu_bound.cores} cores (listens/s)`, ours.cpu_bound.listens_per_second, seed?.cpu_bound?.listens_per_second);
  }
  const v = (r: IngestResult | undefined): string =>
    !r ? '' : r.verification ? (r.verification.ok ? `exact (${r.verification.checked_slices} slices)` : `${r.verification.mismatches} WRONG`) : 'not checked (partial)';
  add('daily counts', v(ours), v(seed));
  out(`ingest benchmark: ${JSON.stringify(p)}  (load avg ${load.join(' ')})`);
  out(table(rows));
  const cpuOf = (role: CpuRole): string => (floor.cpu_seconds[role] === undefined ? '' : `, ${label(role)} ${Math.round((floor.cpu_seconds[role] * 1e6) / Math.max(1, floor.listens))} µs/listen`);
  out(
    `\nfloor (raw listens in per-partition unlogged batches + ${floor.counter_updates} counter updates; no Kafka, dedupe, intents or indexes): ` +
      `${floor.listens_per_second} listens/s (${floor.raw_seconds} s + ${floor.counter_seconds} s${cpuOf('cassandra')}${cpuOf('engine')})`,
  );
  out(`ours end to end / floor: ${floorRatio(ours.end_to_end_per_second, floor) ?? 'n/a'} (target ≥ ${FLOOR_RATIO_TARGET})`);
  if (ours.stages) {
    const s = ours.stages;
    const total = s.validation_ms + s.dedupe_reads_ms + s.raw_writes_ms + s.count_updates_ms + s.commits_ms;
    const pct = (x: number): string => `${round((100 * x) / Math.max(1, total), 0)}%`;
    out('\naggregator stage times (wall time summed over chunks; up to 6 partitions run at once):');
    out(
      table([
        ['stage', 'ms', 'share', 'µs/listen'],
        ...(
          [
            ['validation', s.validation_ms],
            ['dedupe reads', s.dedupe_reads_ms],
            ['raw writes', s.raw_writes_ms],
            ['count updates', s.count_updates_ms],
            ['commits', s.commits_ms],
          ] as Array<[string, number]>
        ).map(([n, ms]) => [n, ms, pct(ms), round((ms * 1000) / Math.max(1, ours.published), 1)]),
      ]),
    );
  }
  const prof = ours.cassandra_profile;
  if (prof) {
    out('\nCassandra per listen, ours (local mutations and reads of the keyspace per table; CPU per thread pool):');
    out(table([['table', 'writes', 'reads', 'writes/listen', 'reads/listen'], ...prof.tables.map((t) => [t.table, t.writes, t.reads, t.writes_per_listen, t.reads_per_listen])]));
    if (prof.threads.length > 0) {
      // the floor's pools beside ours: which stage of Cassandra our path adds to
      const inFloor = new Map((floor.cassandra_threads ?? []).map((t) => [t.pool, t.cpu_us_per_listen]));
      const head = ['thread pool', 'CPU s', 'µs/listen', ...(inFloor.size ? ['floor µs/listen'] : [])];
      out(table([head, ...prof.threads.map((t) => [t.pool, t.cpu_seconds, t.cpu_us_per_listen, ...(inFloor.size ? [inFloor.get(t.pool) ?? 0] : [])])]));
    }
  }
}

/** A process role as printed ("engine" is the floor's own driver: the benchmark process). */
function label(role: CpuRole): string {
  return { engine: 'driver', cassandra: 'Cassandra', kafka: 'Kafka', redis: 'Redis', publisher: 'publisher' }[role];
}
