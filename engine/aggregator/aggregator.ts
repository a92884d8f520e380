import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import { everyNodeUp } from '../shared/cassandra';
import type { CassandraClient } from '../shared/cassandra';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { parseListenEvent } from '../shared/listen-event';
import type { ListenEvent } from '../shared/listen-event';
import { DAY_MS } from '../shared/listen-identity';
import { backoffMs, RwLock, sleep } from '../shared/concurrency';
import { incrStats, redisNames } from '../shared/stats';
import type { RedisNames } from '../shared/stats';
import { ensureTopics } from '../shared/topics';
import type { ChunkInFlight } from '../shared/store/chunks-in-flight';
import { createStore } from '../shared/store/store';
import type { Store } from '../shared/store/store';
import { KeepAlive } from './keep-alive';
import { TombstoneCache } from './tombstone-cache';
import { UnverifiedIntents, VERIFY_EVERY_MS } from './intent-verification';
import type { PartitionRecovery } from './intent-verification';
import { ListenWriter } from './listen-writer';
import { RankedSets } from '../shared/ranked-sets';
import type { WriteTiming } from './listen-writer';

export interface AggregatorOptions {
  kafka: Kafka;
  db: CassandraClient;
  redis: Redis;
  config: Config;
  log: Logger;
  /** false only for the dedupe-cost measurement */
  dedupe?: boolean;
  /** messages per write chunk inside a Kafka batch */
  chunkSize?: number;
  statsKey?: string;
  invalidateChannel?: string;
  /** test hook (crash tests), see ListenWriter */
  afterCounters?: () => void;
  /** test hook (the GDPR barrier's race): awaited after a chunk's deleted-users check, before its writes */
  afterDeletedCheck?: () => Promise<void>;
  /** test hook (a chunk that outlasts the group session), see ListenWriter */
  afterUserCounters?: () => Promise<void>;
  /** wait after a failed write before recovering (default SETTLE_MS) */
  settleMs?: number;
  /** whether every Cassandra node is up (default: the driver's view of the cluster); a recovery while one is down keeps its intents */
  nodesUp?: () => boolean;
  /** test hook (a counter increment that comes back with a restarted node): awaited after each recovery of a partition */
  afterRecovery?: (partition: number, r: PartitionRecovery) => Promise<void>;
  /** how often idle assigned partitions are looked at for intents to recover (default VERIFY_EVERY_MS) */
  verifyEveryMs?: number;
}

/**
 * Longer than Cassandra's counter_write_request_timeout (5 s by default, 10 s in
 * our native stack): after that the server has applied or dropped every
 * mutation of the failed attempt.
 */
export const SETTLE_MS = 11_000;

/** consumer-group heartbeat interval (session timeout 30 s); also the KeepAlive period while a batch is written */
const HEARTBEAT_MS = 3000;

export interface AggregatorStats {
  batches: number;
  counted: number;
  duplicates: number;
  dlq: number;
  expired: number;
  deletedDropped: number;
}

/**
 * kafkajs consumer group over `listens`: validate → DLQ invalid events →
 * drop expired and deleted users' events → ListenWriter (exact counts) →
 * resolve + commit offsets → invalidate caches.
 */
export class Aggregator {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private readonly store: Store;
  private readonly writer: ListenWriter;
  private readonly recovered = new Set<number>();
  /** deleted_users answers, kept while the deletion generation stays the same */
  private readonly tombstones = new TombstoneCache();
  /** partitions whose intents a recovery kept: recovered again at ALL once every node is up */
  private readonly unverified = new UnverifiedIntents();
  private readonly nodesUp: () => boolean;
  /** the partitions of the current assignment (empty while the group rebalances) */
  private assigned = new Set<number>();
  /** bumped when the group starts to rebalance or assigns again: a timer recovery of an older assignment stops */
  private assignment = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleRun: Promise<void> | undefined;
  private stopping = false;
  /** batches write under `shared`; recovery (recompute from raw listens) runs `exclusive`, so no write of this process races it */
  private readonly lock = new RwLock();
  private readonly names: RedisNames;
  readonly stats: AggregatorStats = { batches: 0, counted: 0, duplicates: 0, dlq: 0, expired: 0, deletedDropped: 0 };

  constructor(private readonly o: AggregatorOptions) {
    this.names = redisNames(o.config.keyspace);
    this.nodesUp = o.nodesUp ?? (() => everyNodeUp(o.db));
    this.store = createStore(o.db);
    this.writer = new ListenWriter({
      store: this.store,
      ranked: new RankedSets(o.redis, o.config.keyspace),
      log: o.log,
      retentionDays: o.config.retentionDays,
      stream: `${o.config.consumerGroup}/${o.config.listensTopic}`,
      dedupe: o.dedupe,
      afterCounters: o.afterCounters,
      afterUserCounters: o.afterUserCounters,
    });
  }

  async start(): Promise<void> {
    const { kafka, config, log } = this.o;
    await ensureTopics(kafka, config);
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    this.consumer = kafka.consumer({
      groupId: config.consumerGroup,
      sessionTimeout: 30_000,
      heartbeatInterval: HEARTBEAT_MS,
      allowAutoTopicCreation: false,
      // a lagging partition arrives in large batches: more listens per (user, day) slice and chunk, so fewer
      // dedupe reads, raw batches and counter updates per listen; the whole fetch is bounded for memory
      maxBytesPerPartition: config.aggregatorFetchKb * 1024,
      maxBytes: Math.max(10 << 20, Math.min(6, config.topicPartitions) * config.aggregatorFetchKb * 1024),
    });
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      // from here until the next assignment, no partition is surely ours: the idle timer leaves them alone
      this.assignment++;
      this.assigned = new Set();
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      // a new assignment: pending intents of each partition are recovered before its first batch (or by the idle timer)
      this.assignment++;
      this.recovered.clear();
      this.unverified.clear();
      this.assigned = new Set(e.payload.memberAssignment[config.listensTopic] ?? []);
      this.writer.forgetStored();
      log.info({ assignment: e.payload.memberAssignment }, 'partitions assigned');
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: config.listensTopic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.min(6, config.topicPartitions),
      eachBatch: (p) => this.eachBatch(p),
    });
    this.idleTimer = setInterval(() => {
      this.idleRun ??= this.recoverIdle().finally(() => (this.idleRun = undefined));
    }, this.o.verifyEveryMs ?? VERIFY_EVERY_MS);
    this.idleTimer.unref();
  }

  /**
   * The idle timer: a partition without new listens gets no batch, so what a batch would recover first
   * is recovered here — the pending intents of an assigned partition not recovered yet in this
   * assignment (a crashed owner's), and kept intents once they are due (every node up again). Under
   * the same write lock as the batches; it stops between intents once the group starts to rebalance.
   */
  private async recoverIdle(): Promise<void> {
    const epoch = this.assignment;
    const todo = new Set([...[...this.assigned].filter((p) => !this.recovered.has(p)), ...this.unverified.duePartitions(this.nodesUp, Date.now())]);
    for (const partition of todo) {
      const owned = (): boolean => !this.stopping && this.assignment === epoch && this.assigned.has(partition);
      if (!owned()) return;
      try {
        const r = await this.recover(partition, owned);
        if (r.intents > 0) this.o.log.warn({ partition, ...r, idle: true }, 'recovered partition');
        if (owned()) this.recovered.add(partition);
      } catch (err) {
        this.o.log.warn({ partition, err: (err as Error).message }, 'idle recovery failed; the next batch or timer tries again');
      }
    }
  }

  private async eachBatch(p: EachBatchPayload): Promise<void> {
    const fetchedAt = Date.now();
    const partition = p.batch.partition;
    // the group must keep hearing from us while intents are recovered and chunks written, or it hands the partition to another aggregator mid-write
    const alive = new KeepAlive(() => p.heartbeat(), HEARTBEAT_MS, (err) => this.o.log.warn({ partition, err: String(err) }, 'heartbeat failed; taking no further chunk of this batch'));
    try {
      await this.consume(p, alive, fetchedAt);
    } finally {
      alive.stop();
    }
  }

  private async consume(p: EachBatchPayload, alive: KeepAlive, fetchedAt: number): Promise<void> {
    const { batch } = p;
    const partition = batch.partition;
    // before the first batch of an assignment, and again once every node is up after a recovery that kept intents
    if (!this.recovered.has(partition) || this.unverified.due(partition, this.nodesUp, Date.now())) {
      const ok = await this.retrying(p, 'recover intents', async () => {
        const r = await this.recover(partition);
        if (r.intents > 0) this.o.log.warn({ partition, ...r }, 'recovered partition');
      });
      if (!ok) return;
      this.recovered.add(partition);
    }
    const chunkSize = this.o.chunkSize ?? this.o.config.aggregatorChunk;
    for (let i = 0; i < batch.messages.length; i += chunkSize) {
      if (!p.isRunning() || p.isStale() || this.stopping || alive.lost()) return;
      const chunk = batch.messages.slice(i, i + chunkSize);
      const done = await this.processChunk(p, chunk, fetchedAt);
      if (!done) return;
      const t0 = process.hrtime.bigint();
      const last = chunk[chunk.length - 1]!;
      p.resolveOffset(last.offset);
      await p.commitOffsetsIfNecessary();
      await p.heartbeat();
      await incrStats(this.o.redis, { stage_commit_us: Number((process.hrtime.bigint() - t0) / 1000n) }, this.o.statsKey ?? this.names.stats);
    }
  }

  /**
   * Returns false when the consumer is stopping before the chunk was applied (it will be replayed).
   * `fetchedAt`: when kafkajs handed over the chunk's batch (epoch ms), told with the invalidation.
   */
  private async processChunk(p: EachBatchPayload, messages: KafkaMessage[], fetchedAt: number): Promise<boolean> {
    const { config, log } = this.o;
    const partition = p.batch.partition;
    const tValidate = process.hrtime.bigint();
    const now = Date.now();
    const cutoff = now - config.retentionDays * DAY_MS;
    const valid: ListenEvent[] = [];
    const dlq: Array<{ key: Buffer | null; value: Buffer | null; headers: Record<string, string> }> = [];
    let expired = 0;
    for (const m of messages) {
      const r = parseListenEvent(m.value, now);
      if (!r.ok) {
        dlq.push({
          key: m.key,
          value: m.value,
          headers: { reason: r.reason, source_topic: p.batch.topic, source_partition: String(partition), source_offset: m.offset },
        });
        continue;
      }
      if (m.key !== null && m.key.toString('utf8') !== r.event.user_id) {
        dlq.push({ key: m.key, value: m.value, headers: { reason: 'key_mismatch', source_topic: p.batch.topic, source_partition: String(partition), source_offset: m.offset } });
        continue;
      }
      if (r.event.listened_at < cutoff) {
        expired++;
        continue;
      }
      valid.push(r.event);
    }
    if (dlq.length > 0) {
      const ok = await this.retrying(p, 'dlq publish', async () => {
        await this.producer!.send({ topic: config.dlqTopic, acks: -1, messages: dlq });
      });
      if (!ok) return false;
      log.warn({ partition, count: dlq.length, reasons: [...new Set(dlq.map((d) => d.headers.reason))] }, 'events sent to DLQ');
    }
    let live = valid;
    let tombstoned: ReadonlySet<string> = new Set();
    let deletedDropped = 0;
    // the GDPR barrier: in flight for these users before the check, so a deletion whose tombstone
    // this check missed waits for the chunk's writes before it sweeps (cql/0008)
    let flight: ChunkInFlight | undefined;
    if (valid.length > 0) {
      const ok = await this.retrying(p, 'deleted-users check', async () => {
        flight ??= await this.store.chunksInFlight.begin();
        ({ live, tombstoned } = await this.dropDeleted(valid));
      });
      if (!ok) return false;
      deletedDropped = valid.length - live.length;
      await this.o.afterDeletedCheck?.();
    }
    const validateUs = Number((process.hrtime.bigint() - tValidate) / 1000n);
    const timing: WriteTiming = { dedupe_us: 0, raw_us: 0, counts_us: 0 };
    let result = { counted: 0, duplicates: 0, changed: new Map<string, Set<string>>() };
    if (live.length > 0) {
      let failedOnce = false;
      const ok = await this.retrying(p, 'write batch', async () => {
        if (failedOnce) {
          // a write that failed on the client (timeout) may still be applied by Cassandra a moment later;
          // recomputing from raw listens before it settles would let a late counter update count twice
          await this.settle(p);
          await this.recover(partition);
        }
        failedOnce = true;
        result = await this.lock.shared(() => this.writer.write(live, partition, timing, tombstoned));
      });
      if (!ok) return false;
      // told as soon as the counts are written (the chunk's own bookkeeping below is not in the answers)
      await this.publishChanged(result.changed, fetchedAt);
    }
    if (flight) {
      const done = flight;
      // not done: the rows expire (CHUNK_IN_FLIGHT_TTL_MS) and a deletion waits that long at most
      if (!(await this.retrying(p, 'chunk done', () => done.done()))) return false;
    }
    this.stats.batches++;
    this.stats.counted += result.counted;
    this.stats.duplicates += result.duplicates;
    this.stats.dlq += dlq.length;
    this.stats.expired += expired;
    this.stats.deletedDropped += deletedDropped;
    const statsKey = this.o.statsKey ?? this.names.stats;
    await incrStats(
      this.o.redis,
      {
        batches: 1,
        listens_ingested: result.counted,
        duplicates_dropped: result.duplicates,
        dlq_total: dlq.length,
        expired_dropped: expired,
        stage_validate_us: validateUs,
        stage_dedupe_us: timing.dedupe_us,
        stage_raw_us: timing.raw_us,
        stage_counts_us: timing.counts_us,
      },
      statsKey,
    );
    return true;
  }

  /** Tell the API processes whose answers changed (their caches drop them, /v1/events names them). */
  private async publishChanged(changed: Map<string, Set<string>>, fetchedAt: number): Promise<void> {
    if (changed.size === 0) return;
    const days = new Set<string>();
    for (const ds of changed.values()) for (const d of ds) days.add(d);
    try {
      await this.o.redis.publish(this.o.invalidateChannel ?? this.names.invalidate, JSON.stringify({ users: [...changed.keys()], days: [...days].sort(), fetched_at: fetchedAt }));
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'invalidation publish failed (cache entries expire by TTL)');
    }
  }

  /** Recovers the partition's pending intents under the write lock (while `owned`, between intents); notes the intents it kept. */
  private async recover(partition: number, owned?: () => boolean): Promise<PartitionRecovery> {
    const nodesUp = this.nodesUp();
    const r = await this.lock.exclusive(() => this.writer.recoverPartition(partition, { nodesUp, owned }));
    this.unverified.recovered(partition, r, Date.now());
    await this.o.afterRecovery?.(partition, r);
    return r;
  }

  /** Waits out the server-side write timeout (heartbeating), so no mutation of a failed attempt is still in flight. */
  private async settle(p: EachBatchPayload): Promise<void> {
    const until = Date.now() + (this.o.settleMs ?? SETTLE_MS);
    while (Date.now() < until && p.isRunning() && !this.stopping) {
      await sleep(Math.min(1000, until - Date.now()));
      await p.heartbeat().catch(() => undefined);
    }
  }

  /**
   * Users in deleted_users: drop their events published before deleted_at.
   * Checked for every chunk: once the DELETE's tombstone is written (its first
   * step, before the 202), no chunk checked after it counts an event published
   * before it, however soon it is replayed. The answers are kept while the
   * deletion generation (one row, read per chunk) stays the same (tombstone-cache.ts). `tombstoned`: the users with a tombstone, whose
   * later listens the writer dedupes without trusting user_days (a deletion's sweep may race them).
   */
  private async dropDeleted(events: ListenEvent[]): Promise<{ live: ListenEvent[]; tombstoned: ReadonlySet<string> }> {
    const generation = await this.store.users.deletionGeneration();
    const { deleted, unknown } = this.tombstones.lookup(new Set(events.map((e) => e.user_id)), generation);
    if (unknown.length > 0) {
      const read = await this.store.users.deletedAt(unknown);
      this.tombstones.learned(unknown, generation, read);
      for (const [user, at] of read) deleted.set(user, at);
    }
    if (deleted.size === 0) return { live: events, tombstoned: new Set() };
    this.writer.forgetUsers(deleted.keys());
    const live = events.filter((e) => {
      const d = deleted.get(e.user_id);
      return d === undefined || e.published_at >= d;
    });
    return { live, tombstoned: new Set(deleted.keys()) };
  }

  /** Retry `fn` with backoff until it succeeds or the consumer stops. Cassandra down never DLQs anything. */
  private async retrying(p: EachBatchPayload, what: string, fn: () => Promise<void>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await fn();
        return true;
      } catch (err) {
        if (!p.isRunning() || this.stopping) return false;
        const wait = backoffMs(attempt, 250, 10_000);
        this.o.log.error({ err: (err as Error).message, attempt, wait_ms: wait, partition: p.batch.partition }, `${what} failed; retrying`);
        await sleep(wait);
        try {
          await p.heartbeat();
        } catch {
          return false; // rebalance: the batch is replayed by the new owner
        }
        if (!p.isRunning() || p.isStale()) return false;
      }
    }
  }

  /** Stop consuming (in-flight chunk finishes or is abandoned before commit), disconnect. */
  async close(): Promise<void> {
    this.stopping = true;
    if (this.idleTimer) clearInterval(this.idleTimer);
    await this.idleRun;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
  }
}
