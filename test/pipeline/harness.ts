import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../engine/shared/config';
import type { Config } from '../../engine/shared/config';
import type { Logger } from '../../engine/shared/logger';
import type { ListenEvent } from '../../engine/shared/listen-event';
import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import { createKafka } from '../../engine/shared/kafka';
import { createRedis } from '../../engine/shared/redis';
import { ensureTopics } from '../../engine/shared/topics';
import { CountStore } from '../../engine/shared/store/counts';
import { migrate } from '../../main/migrate/migrator';
import { Aggregator } from '../../engine/aggregator/aggregator';
import type { AggregatorOptions } from '../../engine/aggregator/aggregator';
import { CrawlService } from '../../engine/crawler/crawl-service';
import type { CrawlServiceDeps } from '../../engine/crawler/crawl-service';
import { ListenPublisher } from '../../engine/crawler/publisher';
import { until } from '../helpers/until';
import { expectedCounts } from '../helpers/expected-counts';

export const quietLog: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A listen event as the publisher sends it: source `test`, title `T <song>`, artist `A`, published now. */
export function testEvent(user: string, at: number, song: string, extra: Partial<ListenEvent> = {}): ListenEvent {
  return { v: 1, user_id: user, source: 'test', listened_at: at, song_id: song, title: `T ${song}`, artist: 'A', published_at: Date.now(), ...extra };
}

/** `perUser` events of each user, one every half hour back from `now`, cycling over the songs `s0`…: listens over a day or two. */
export function halfHourlyEvents(users: string[], perUser: number, songs: number, now = Date.now()): ListenEvent[] {
  return users.flatMap((u) => Array.from({ length: perUser }, (_, i) => testEvent(u, now - (i + 1) * 1_800_000, `s${i % songs}`)));
}

export function uid(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Everything one pipeline test file needs: its own keyspace, topics, group, stats key, data dir. */
export interface Harness {
  config: Config;
  db: CassandraClient;
  redis: Redis;
  kafka: Kafka;
  statsKey: string;
  tag: string;
  /** an aggregator on the harness's clients and stats key (`options` override), started */
  startAggregator(options?: Partial<AggregatorOptions>): Promise<Aggregator>;
  /** a publisher to the harness's listens topic */
  publisher(): ListenPublisher;
  /** publishes to the harness's listens topic through one publisher it opens on first use */
  publish(events: ListenEvent[]): Promise<void>;
  /** a crawl service on a queue of its own (`deps` override) */
  crawlService(deps?: Partial<CrawlServiceDeps>): CrawlService;
  /** closes what the three above made (newest first), deletes the topics, group, stats key and keyspace */
  close(): Promise<void>;
}

export async function createHarness(env: Record<string, string> = {}): Promise<Harness> {
  const tag = randomBytes(4).toString('hex');
  const config = loadConfig({
    env: {
      TOPK_DATA_DIR: mkdtempSync(join(tmpdir(), 'topk-pipeline-')),
      TOPK_API_TOKEN: `t-${tag}`,
      TOPK_KEYSPACE: `topk_pipe_${tag}`,
      TOPK_LISTENS_TOPIC: `listens-pipe-${tag}`,
      TOPK_DLQ_TOPIC: `listens-pipe-${tag}.dlq`,
      TOPK_TOPIC_PARTITIONS: '3',
      TOPK_CONSUMER_GROUP: `topk-aggregator-pipe-${tag}`,
      TOPK_KAFKA_BROKERS: process.env.TOPK_KAFKA_BROKERS ?? '127.0.0.1:9092',
      TOPK_CASSANDRA_CONTACT_POINTS: process.env.TOPK_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042',
      TOPK_REDIS_URL: process.env.TOPK_REDIS_URL ?? 'redis://127.0.0.1:6379',
      ...env,
    },
    persistToken: false,
  });
  await migrate(config, quietLog);
  const db = createCassandra(config, quietLog);
  await db.connect();
  const redis = createRedis(config, quietLog);
  const kafka = createKafka(config, quietLog, `pipe-test-${tag}`);
  await ensureTopics(kafka, config);
  const statsKey = `topk:stats:test-${tag}`;
  const closers: Array<() => Promise<void>> = [];
  const publisher = (): ListenPublisher => {
    const pub = new ListenPublisher(kafka, config);
    closers.push(() => pub.close());
    return pub;
  };
  let shared: ListenPublisher | undefined;
  return {
    config,
    db,
    redis,
    kafka,
    statsKey,
    tag,
    async startAggregator(options = {}) {
      const agg = new Aggregator({ kafka, db, redis, config, log: quietLog, statsKey, ...options });
      closers.push(() => agg.close());
      await agg.start();
      return agg;
    },
    publisher,
    publish(events) {
      shared ??= publisher();
      return shared.publish(events);
    },
    crawlService(deps = {}) {
      const service = new CrawlService({ cassandra: db, redis, kafka, config, log: quietLog, queueName: uid('q'), statsKey, ...deps });
      closers.push(async () => {
        await service.queue.obliterate({ force: true }).catch(() => undefined);
        await service.close();
      });
      return service;
    },
    async close() {
      for (const c of closers.reverse()) await c();
      await redis.del(statsKey).catch(() => undefined);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [config.listensTopic, config.dlqTopic] }).catch(() => undefined);
      await admin.deleteGroups([config.consumerGroup]).catch(() => undefined);
      await admin.disconnect();
      await db.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`).catch(() => undefined);
      await db.shutdown();
      await redis.quit();
    },
  };
}

/** Total lag of the config's consumer group on the listens topic (−1 before the group committed anything). */
export async function consumerLag(h: Harness): Promise<number> {
  const admin = h.kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(h.config.listensTopic);
    const [committed] = await admin.fetchOffsets({ groupId: h.config.consumerGroup, topics: [h.config.listensTopic] });
    let lag = 0;
    for (const e of ends) {
      const c = committed?.partitions.find((p) => p.partition === e.partition);
      const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(e.low);
      lag += Number(e.high) - at;
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

export { until };
export const waitForLag0 = (h: Harness, timeoutMs = 60_000): Promise<true> =>
  until('consumer lag 0', async () => (await consumerLag(h)) === 0 || undefined, timeoutMs, 300);

export { expectedCounts };

/** Counters above 0: zero and negative ones (left by deletes) are not listens. */
const positive = (m: Map<string, number>): Map<string, number> => new Map([...m].filter(([, n]) => n > 0));

const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));

/** Stored counts of a user for the given days, in the expectedCounts shape (empty days left out). */
export async function storedCounts(h: Harness, userId: string, days: string[]): Promise<Map<string, Array<[string, number]>>> {
  const out = new Map<string, Array<[string, number]>>();
  for (const d of days) {
    const c = positive(await new CountStore(h.db).userDay(userId, d));
    if (c.size) out.set(d, sorted(c));
  }
  return out;
}

export function asComparable(m: Map<string, Map<string, number>> | undefined): Map<string, Array<[string, number]>> {
  const out = new Map<string, Array<[string, number]>>();
  for (const [d, c] of m ?? []) out.set(d, sorted(c));
  return out;
}

export async function storedGlobal(h: Harness, days: string[]): Promise<Map<string, Array<[string, number]>>> {
  const out = new Map<string, Array<[string, number]>>();
  for (const d of days) {
    const c = positive(await new CountStore(h.db).globalDay(d));
    if (c.size) out.set(d, sorted(c));
  }
  return out;
}

/** Sum of per-user expected counts → expected global counts. */
export function expectedGlobal(e: Map<string, Map<string, Map<string, number>>>): Map<string, Array<[string, number]>> {
  const g = new Map<string, Map<string, number>>();
  for (const days of e.values()) {
    for (const [d, songs] of days) {
      let m = g.get(d);
      if (!m) g.set(d, (m = new Map()));
      for (const [s, n] of songs) m.set(s, (m.get(s) ?? 0) + n);
    }
  }
  return asComparable(g);
}

/** The last n UTC days, computed independently of the product's helpers. */
export function daysBack(n: number, now = Date.now()): string[] {
  return Array.from({ length: n }, (_, i) => new Date(now - i * 86_400_000).toISOString().slice(0, 10));
}

/** CONTRACT.md's fallback song id, computed independently. */
export function hSongId(artist: string, title: string): string {
  return 'h:' + createHash('sha1').update(`${artist.trim().toLowerCase()}\u0000${title.trim().toLowerCase()}`).digest('hex');
}
