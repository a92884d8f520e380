/**
 * `topk bench ingest`: publish simulated listens as the crawler does, run the
 * real aggregator as a child process on a topic/group/stats key of its own, and
 * measure until its consumer lag is 0; then check every user's daily counts in
 * Cassandra against the generated listens.
 */
import { availableParallelism } from 'node:os';
import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { configToEnv } from '../engine/shared/config';
import type { Config } from '../engine/shared/config';
import { createCassandra } from '../engine/shared/cassandra';
import type { CassandraClient } from '../engine/shared/cassandra';
import { createKafka } from '../engine/shared/kafka';
import { createRedis } from '../engine/shared/redis';
import { mapLimit } from '../engine/shared/concurrency';
import { ensureTopics } from '../engine/shared/topics';
import { ListenPublisher } from '../engine/crawler/publisher';
import { DAY_MS, utcDay } from '../engine/shared/listen-identity';
import { sampleMemory, startChild, startEngine, tsxArgs } from './child';
import type { ChildHandle } from './child';
import { quietLog, round } from './bench-env';
import { expectedCounts } from './workload';
import type { Workload } from './workload';
import { measureCpu, stackPids, stackPorts, withoutSampling } from './cpu';
import { readTableOps, sampleThreads, tableProfile, threadProfile } from './cassandra-profile';
import type { CassandraProfile } from './cassandra-profile';
import type { CpuRole } from './cpu';

export interface IngestOptions {
  /** seconds after publishing ends before the run gives up (ours: failure; baseline: partial result) */
  drainTimeoutSeconds: number;
  partitions: number;
  progress: (line: string) => void;
  keepData: boolean;
}

export interface StageTimes {
  validation_ms: number;
  dedupe_reads_ms: number;
  raw_writes_ms: number;
  count_updates_ms: number;
  commits_ms: number;
}

export interface IngestResult {
  design: 'ours' | 'seed';
  published: number;
  distinct_listens: number;
  duplicates_published: number;
  publish_seconds: number;
  publish_per_second: number;
  /** publish start → consumer lag 0 */
  end_to_end_seconds: number;
  end_to_end_per_second: number;
  /** messages consumed (all of them unless `complete` is false) */
  consumed: number;
  complete: boolean;
  peak_rss_mb: number;
  /**
   * CPU seconds used from publish start to lag 0: the aggregator ("engine"), the local Cassandra, Kafka,
   * Redis, and this process ("publisher": the crawler's publisher sending every message, and the lag polls)
   */
  cpu_seconds: Partial<Record<CpuRole, number>>;
  /**
   * all of those per listen consumed, and the rate they allow if the machine's cores did nothing
   * else (cores × 1 s ÷ that): the end-to-end rate can only approach it
   */
  cpu_bound?: { us_per_listen: number; cores: number; listens_per_second: number };
  stages?: StageTimes;
  stats?: Record<string, number>;
  /** ours only: Cassandra's local writes and reads per table of the keyspace, and its CPU per thread pool, over the same window */
  cassandra_profile?: CassandraProfile;
  verification: { checked_users: number; checked_slices: number; mismatches: number; ok: boolean; examples: string[] } | null;
}

/**
 * The CPU a listen across the measured processes, and the rate that CPU allows on this machine's cores.
 * The publisher's share is per message published (it sent them all, also when the consumer fell behind),
 * every other process's per listen consumed.
 */
export function cpuBound(cpu: Partial<Record<CpuRole, number>>, consumed: number, published: number, cores = availableParallelism()): IngestResult['cpu_bound'] {
  if (consumed <= 0) return undefined;
  let us = 0;
  for (const [role, s] of Object.entries(cpu) as Array<[CpuRole, number]>) us += cpuUsPerListen(role, s, consumed, published);
  if (us <= 0) return undefined;
  return { us_per_listen: Math.round(us), cores, listens_per_second: Math.round((cores * 1e6) / us) };
}

/** One process's CPU seconds as µs a listen: the publisher's per message published, every other's per listen consumed. */
export function cpuUsPerListen(role: CpuRole, seconds: number, consumed: number, published: number): number {
  return (seconds * 1e6) / Math.max(1, role === 'publisher' ? published : consumed);
}

export interface Clients {
  kafka: Kafka;
  admin: Admin;
  redis: Redis;
  db: CassandraClient;
}

export async function openClients(config: Config): Promise<Clients> {
  const kafka = createKafka(config, quietLog, 'topk-bench');
  const admin = kafka.admin();
  await admin.connect();
  const redis = createRedis(config, quietLog, { name: 'topk-bench' });
  const db = createCassandra(config, quietLog);
  await db.connect();
  return { kafka, admin, redis, db };
}

export async function closeClients(c: Clients): Promise<void> {
  await c.admin.disconnect().catch(() => undefined);
  c.redis.disconnect();
  await c.db.shutdown().catch(() => undefined);
}

export async function lagOf(admin: Admin, topic: string, group: string): Promise<{ lag: number; end: number }> {
  const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: group, topics: [topic] })]);
  const done = new Map<number, number>();
  for (const t of committed) for (const p of t.partitions) done.set(p.partition, Number(p.offset));
  let lag = 0;
  let end = 0;
  for (const p of ends) {
    const hi = Number(p.high);
    const lo = Number(p.low);
    const c = done.get(p.partition) ?? -1;
    end += hi;
    lag += Math.max(0, hi - (c < 0 ? lo : c));
  }
  return { lag, end };
}

/** Runs one design over the workload; user ids are `${userPrefix}${index}`. */
export async function runIngest(
  design: 'ours' | 'seed',
  w: Workload,
  baseConfig: Config,
  clients: Clients,
  tag: string,
  opts: IngestOptions,
): Promise<IngestResult> {
  const topic = `bench.${tag}.${design}.listens`;
  const group = `bench-${tag}-${design}`;
  const statsKey = `topk:bench:${tag}:${design}:stats`;
  const userPrefix = `bench-${tag}-${design}-u`;
  const config: Config = { ...baseConfig, listensTopic: topic, dlqTopic: `${topic}.dlq`, consumerGroup: group, topicPartitions: opts.partitions };
  await ensureTopics(clients.kafka, config);
  const say = opts.progress;

  const env = { ...configToEnv(config), TOPK_LOG_LEVEL: 'info', TOPK_AGGREGATOR_STATS_KEY: statsKey };
  const child: ChildHandle =
    design === 'ours' ? startEngine('aggregator', env) : startChild(tsxArgs('bench/seed-aggregator.ts'), env, 'seed aggregator');
  const mem = sampleMemory(child.pid);
  // the aggregator's warnings and errors (retries, recoveries, DLQ) explain a slow or failed run: show them
  let shown = 0;
  child.onLine((o) => {
    if (typeof o.level !== 'number' || o.level < 40 || o.msg === 'partitions assigned') return;
    if (++shown <= 20) say(`[${design}] aggregator ${o.level >= 50 ? 'error' : 'warning'}: ${String(o.msg)}${o.err ? ` (${String(o.err)})` : ''}`);
    else if (shown === 21) say(`[${design}] aggregator: more warnings not shown`);
  });
  let result: IngestResult | undefined;
  let threads: ReturnType<typeof sampleThreads> | undefined;
  try {
    await child.ready;
    // the clock starts once the consumer group has its assignment (joining takes seconds and is not throughput)
    await child.waitForMsg('partitions assigned', 120_000);
    say(`[${design}] aggregator pid ${child.pid} ready; publishing ${w.order.length} messages to ${topic} (${opts.partitions} partitions)`);

    // publish as the crawler does: idempotent producer, acks -1, key user_id, chunks of 2000
    const publisher = new ListenPublisher(clients.kafka, config);
    const cassandraPid = design === 'ours' ? stackPids(stackPorts(config)).get('cassandra') : undefined;
    const opsBefore = design === 'ours' ? await readTableOps(clients.db, config.keyspace) : undefined;
    threads = cassandraPid?.length === 1 ? sampleThreads(cassandraPid[0]!) : undefined;
    const t0 = performance.now();
    const cpu = measureCpu(child.pid, stackPorts(config), process.pid);
    let publishedAt = 0;
    const published = w.order.length;
    let publishing = true;
    const publishDone = (async () => {
      const CHUNK = 2000;
      const now = Date.now();
      for (let i = 0; i < w.order.length; i += CHUNK) {
        const events = [];
        for (let j = i; j < Math.min(w.order.length, i + CHUNK); j++) {
          const k = w.order[j]!;
          const t = w.tracks[w.song[k]!]!;
          events.push(
            ListenPublisher.toEvent(`${userPrefix}${w.user[k]}`, 'simulator', { listened_at: w.at[k]!, song_id: t.song_id, title: t.title, artist: t.artist, album: t.album }, `bench-${tag}`, now),
          );
        }
        await publisher.publish(events);
      }
      publishedAt = performance.now();
      publishing = false;
      await publisher.close();
    })();
    publishDone.catch(() => undefined);

    // watch the lag until it is 0 after publishing ended
    let lastSay = 0;
    let lagNow = published;
    let deadline = Infinity;
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      if (child.proc.exitCode !== null) throw new Error(`the ${design} aggregator exited with code ${child.proc.exitCode}:\n${child.tail()}`);
      const { lag, end } = await lagOf(clients.admin, topic, group);
      lagNow = publishing ? Math.max(lag, published - end + lag) : lag;
      const el = (performance.now() - t0) / 1000;
      if (performance.now() - lastSay > 2000) {
        lastSay = performance.now();
        say(`[${design}] ${el.toFixed(1)} s: published ${end}/${published}, lag ${lag}, consumed ${end - lag} (${Math.round((end - lag) / el)}/s)`);
      }
      if (!publishing) {
        if (deadline === Infinity) deadline = performance.now() + opts.drainTimeoutSeconds * 1000;
        // drained only once the offsets read back hold every acknowledged listen: right after a new
        // topic's last send, a read can still see its partitions empty (end 0, lag 0)
        if (lag === 0 && end >= published) break;
        if (performance.now() > deadline) break;
      }
    }
    await publishDone;
    const t1 = performance.now();
    const pools = threads?.stop();
    const cpuSeconds = withoutSampling(cpu.stop(), 'publisher', threads?.ownCpuSeconds());
    const consumed = published - lagNow;
    const complete = lagNow === 0;
    const stats = await readStats(clients.redis, statsKey);
    const e2e = (t1 - t0) / 1000;
    result = {
      design,
      published,
      distinct_listens: w.listens,
      duplicates_published: published - w.listens,
      publish_seconds: round((publishedAt - t0) / 1000, 2),
      publish_per_second: Math.round(published / ((publishedAt - t0) / 1000)),
      end_to_end_seconds: round(e2e, 2),
      end_to_end_per_second: Math.round(consumed / e2e),
      consumed,
      complete,
      peak_rss_mb: round(mem.peak() / 2 ** 20, 1),
      cpu_seconds: cpuSeconds,
      cpu_bound: cpuBound(cpuSeconds, consumed, published),
      verification: null,
    };
    if (opsBefore) {
      const tables = tableProfile(opsBefore, await readTableOps(clients.db, config.keyspace), consumed);
      result.cassandra_profile = { tables, threads: pools ? threadProfile(pools, consumed) : [] };
    }
    if (design === 'ours') {
      result.stats = stats;
      result.stages = {
        validation_ms: round((stats.stage_validate_us ?? 0) / 1000, 0),
        dedupe_reads_ms: round((stats.stage_dedupe_us ?? 0) / 1000, 0),
        raw_writes_ms: round((stats.stage_raw_us ?? 0) / 1000, 0),
        count_updates_ms: round((stats.stage_counts_us ?? 0) / 1000, 0),
        commits_ms: round((stats.stage_commit_us ?? 0) / 1000, 0),
      };
    }
    say(`[${design}] ${complete ? 'lag 0' : `gave up with lag ${lagNow}`} after ${e2e.toFixed(1)} s; peak RSS ${result.peak_rss_mb} MB`);
  } finally {
    threads?.stop();
    mem.stop();
    const code = await child.stop();
    if (code !== 0 && code !== null && result) say(`[${design}] aggregator exited with code ${code}`);
  }
  if (result.complete) {
    say(`[${design}] verifying the daily counts of ${w.users} users in Cassandra`);
    result.verification = await verifyCounts(clients.db, w, userPrefix);
  }
  await cleanup(clients, config, statsKey, w, userPrefix, opts.keepData).catch((err: unknown) => say(`[${design}] cleanup failed: ${(err as Error).message}`));
  return result;
}

/** The aggregator's stats hash (engine/shared/stats.ts) as numbers. */
export async function readStats(redis: Redis, key: string): Promise<Record<string, number>> {
  const raw = await redis.hgetall(key);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
}

/** Every user's daily_counts equal the counts of the distinct generated listens, day by day. */
export async function verifyCounts(db: CassandraClient, w: Workload, userPrefix: string): Promise<NonNullable<IngestResult['verification']>> {
  const expected = expectedCounts(w);
  const days: string[] = [];
  for (let t = Math.floor(w.fromMs / DAY_MS) * DAY_MS; t <= w.toMs; t += DAY_MS) days.push(utcDay(t));
  const slices = expected.flatMap((_, u) => days.map((d) => [u, d] as const));
  let mismatches = 0;
  const examples: string[] = [];
  await mapLimit(slices, 32, async ([u, day]) => {
    const want = expected[u]!.get(day) ?? new Map<string, number>();
    const got = new Map<string, number>();
    let pageState: string | undefined;
    do {
      const rs = await db.execute('SELECT song_id, plays FROM daily_counts WHERE user_id = ? AND day = ?', [`${userPrefix}${u}`, day], {
        prepare: true,
        fetchSize: 5000,
        pageState,
      });
      for (const r of rs.rows) {
        const n = Number(String(r.plays));
        if (n !== 0) got.set(String(r.song_id), n);
      }
      pageState = rs.pageState ?? undefined;
    } while (pageState);
    for (const s of new Set([...want.keys(), ...got.keys()])) {
      const a = want.get(s) ?? 0;
      const b = got.get(s) ?? 0;
      if (a !== b) {
        mismatches++;
        if (examples.length < 10) examples.push(`user ${userPrefix}${u} day ${day} song ${s}: expected ${a}, Cassandra has ${b}`);
      }
    }
  });
  return { checked_users: w.users, checked_slices: slices.length, mismatches, ok: mismatches === 0, examples };
}

/** Drop the run's topic, consumer group, stats key and (unless kept) its users' rows. */
export async function cleanup(c: Clients, config: Config, statsKey: string, w: Workload, userPrefix: string, keepData: boolean): Promise<void> {
  await c.redis.del(statsKey);
  await c.admin.deleteGroups([config.consumerGroup]).catch(() => undefined);
  await c.admin.deleteTopics({ topics: [config.listensTopic, config.dlqTopic] }).catch(() => undefined);
  if (!keepData) await deleteUserRows(c.db, w, userPrefix);
}

/** Delete the raw listens, daily counts and day index rows of the workload's users `${userPrefix}${index}`. */
async function deleteUserRows(db: CassandraClient, w: Workload, userPrefix: string): Promise<void> {
  const days: string[] = [];
  for (let t = Math.floor(w.fromMs / DAY_MS) * DAY_MS; t <= w.toMs; t += DAY_MS) days.push(utcDay(t));
  const slices = Array.from({ length: w.users }, (_, u) => days.map((d) => [`${userPrefix}${u}`, d] as const)).flat();
  await mapLimit(slices, 32, async ([u, d]) => {
    await db.execute('DELETE FROM listens WHERE user_id = ? AND day = ?', [u, d], { prepare: true });
    await db.execute('DELETE FROM daily_counts WHERE user_id = ? AND day = ?', [u, d], { prepare: true });
  });
  await mapLimit(Array.from({ length: w.users }, (_, u) => `${userPrefix}${u}`), 32, (u) => db.execute('DELETE FROM user_days WHERE user_id = ?', [u], { prepare: true }));
}
