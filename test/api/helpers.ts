import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { createApiServer } from '../../engine/api/server';
import type { ApiDeps, ApiServer } from '../../engine/api/server';
import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Config } from '../../engine/shared/config';
import { createKafka } from '../../engine/shared/kafka';
import { createRedis } from '../../engine/shared/redis';
import { cqlId, migratedKeyspace, testConfig, testLog } from '../helpers';
import { rankedScopes } from '../../engine/shared/ranked-sets';
import type { RankedSets } from '../../engine/shared/ranked-sets';

export const CQL_DIR = join(import.meta.dirname, '../../cql');

export { testLog as quietLog, uid } from '../helpers';

/**
 * A Config with its own keyspace (global counts must not see other files' data),
 * topic, consumer group and token, migrated with main/migrate.
 */
export async function isolatedConfig(overrides: Record<string, string> = {}): Promise<Config> {
  const tag = randomBytes(4).toString('hex');
  const config = testConfig({
    TOPK_KEYSPACE: cqlId('topk_api'),
    TOPK_LISTENS_TOPIC: `listens-apitest-${tag}`,
    TOPK_DLQ_TOPIC: `listens-apitest-${tag}.dlq`,
    TOPK_CONSUMER_GROUP: `topk-aggregator-apitest-${tag}`,
    ...overrides,
  });
  await migratedKeyspace(config);
  return config;
}

export function connect(config: Config): CassandraClient {
  return createCassandra(config, testLog);
}

export async function dropKeyspace(db: CassandraClient, keyspace: string): Promise<void> {
  await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
  await db.shutdown();
}

/** The clients an API test file works with, on a keyspace, topics and consumer group of its own. */
export interface ApiTestClients {
  config: Config;
  db: CassandraClient;
  redis: Redis;
  kafka: Kafka;
}

/**
 * Opens an API test file's clients in a `beforeAll` (a migrated keyspace of its own, Cassandra,
 * Redis, a Kafka client) and closes them in an `afterAll`: deletes the file's topics and consumer
 * group, quits Redis, drops the keyspace. Call it at the top of the file, before the file's own
 * hooks: those run after this `beforeAll` and, in vitest's default hook order, before this
 * `afterAll`, so a file closes what it built on the clients (its server) first. The fields are
 * filled in when the `beforeAll` has run.
 */
export function useApiTestClients(env: Record<string, string> = {}): ApiTestClients {
  const t = {} as Partial<ApiTestClients>;
  beforeAll(async () => {
    const config = await isolatedConfig(env);
    Object.assign(t, { config, db: connect(config), redis: createRedis(config, testLog), kafka: createKafka(config, testLog) });
  }, 180_000);
  afterAll(async () => {
    const { config, db, redis, kafka } = t;
    if (kafka && config) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [config.listensTopic, config.dlqTopic] }).catch(() => undefined);
      await admin.deleteGroups([config.consumerGroup]).catch(() => undefined);
      await admin.disconnect();
    }
    await redis?.quit();
    if (db && config) await dropKeyspace(db, config.keyspace);
  }, 60_000);
  return t as ApiTestClients;
}

/** The API from the server factory over a test file's clients (no crawl service unless `deps` has one), not listening: tests inject requests. */
export function apiServer(t: ApiTestClients, deps: Partial<ApiDeps> = {}): Promise<ApiServer> {
  return createApiServer({ config: t.config, log: testLog, cassandra: t.db, redis: t.redis, kafka: t.kafka, cqlDir: CQL_DIR, ...deps });
}

export interface TestListen {
  user_id: string;
  listened_at: number;
  song_id: string;
  title: string;
  artist: string;
  source?: string;
  album?: string;
}

/**
 * Writes listens the way the aggregator does (raw row, per-user and global
 * counters, play totals, user_days, day_users, tracks), for listens not written before;
 * the ranked sets over the changed counters are dropped (rebuilt on the next read).
 */
export async function writeListens(db: CassandraClient, listens: TestListen[], ranked: RankedSets): Promise<void> {
  const { LocalDate, Long } = cassandra.types;
  const opts = { prepare: true };
  const queue = [...listens];
  const worker = async (): Promise<void> => {
    for (let l = queue.shift(); l; l = queue.shift()) await writeOne(l);
  };
  const writeOne = async (l: TestListen): Promise<void> => {
    const day = LocalDate.fromDate(new Date(l.listened_at));
    await db.execute(
      'INSERT INTO listens (user_id, day, listened_at, source, song_id, title, artist, album) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [l.user_id, day, new Date(l.listened_at), l.source ?? 'simulator', l.song_id, l.title, l.artist, l.album ?? null],
      opts,
    );
    await db.execute('UPDATE daily_counts SET plays = plays + ? WHERE user_id = ? AND day = ? AND song_id = ?', [Long.ONE, l.user_id, day, l.song_id], opts);
    // global counts in shard 0, as if every listen came through Kafka partition 0
    await db.execute('UPDATE global_shard_counts SET plays = plays + ? WHERE day = ? AND shard = 0 AND song_id = ?', [Long.ONE, day, l.song_id], opts);
    await db.execute('UPDATE user_day_totals SET plays = plays + ? WHERE user_id = ? AND day = ?', [Long.ONE, l.user_id, day], opts);
    await db.execute('UPDATE day_shard_totals SET plays = plays + ? WHERE day = ? AND shard = 0', [Long.ONE, day], opts);
    await db.execute('INSERT INTO day_shards (day, shard) VALUES (?, 0)', [day], opts);
    await db.execute('INSERT INTO day_shard_users (day, shard, user_id) VALUES (?, 0, ?)', [day, l.user_id], opts);
    await db.execute('INSERT INTO user_days (user_id, day, shards) VALUES (?, ?, {0})', [l.user_id, day], opts);
    await db.execute('INSERT INTO day_users (day, user_id) VALUES (?, ?)', [day, l.user_id], opts);
    await db.execute('INSERT INTO tracks (song_id, title, artist, album) VALUES (?, ?, ?, ?)', [l.song_id, l.title, l.artist, l.album ?? null], opts);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const slices = new Map(listens.map((l) => [`${l.user_id}\u0001${new Date(l.listened_at).toISOString().slice(0, 10)}`, { user: l.user_id, day: new Date(l.listened_at).toISOString().slice(0, 10) }]));
  await ranked.drop(rankedScopes([...slices.values()]));
}

/** Independent Top-K: count listens in the window, order by count desc then song_id asc. */
export function expectedTop(listens: TestListen[], filter: (l: TestListen) => boolean): Array<{ song_id: string; listen_count: number }> {
  const counts: Record<string, number> = {};
  for (const l of listens) if (filter(l)) counts[l.song_id] = (counts[l.song_id] ?? 0) + 1;
  return Object.keys(counts)
    .map((song_id) => ({ song_id, listen_count: counts[song_id]! }))
    .sort((a, b) => {
      if (a.listen_count !== b.listen_count) return b.listen_count - a.listen_count;
      return a.song_id < b.song_id ? -1 : 1;
    });
}

export const DAY_MS = 86_400_000;

/** 00:00 UTC of the day `n` days before `now`. */
export function dayStartMs(now: number, daysAgo: number): number {
  const d = new Date(now - daysAgo * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}
