import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createCassandra } from '../../engine/shared/cassandra';
import { loadConfig } from '../../engine/shared/config';
import type { Config } from '../../engine/shared/config';
import { createKafka } from '../../engine/shared/kafka';
import { quietPorts } from './free-port';

/**
 * The settings of a `topk serve` child that a test starts on the shared test stack: a fresh
 * data dir, free ports (from below the range of outgoing connections' ports: the child binds them
 * seconds later), and a keyspace, topics and consumer group of its own
 * (`topk_<name>_<tag>`, `listens-<name>-<tag>`, …), so it touches nothing of another run.
 */
export async function serveTestEnv(name: string, tag: string): Promise<Record<string, string>> {
  const [port, apiPort] = [await quietPorts(), await quietPorts()];
  return {
    TOPK_DATA_DIR: mkdtempSync(join(tmpdir(), `topk-${name}-`)),
    TOPK_PORT: String(port),
    TOPK_API_PORT: String(apiPort),
    TOPK_KEYSPACE: `topk_${name}_${tag}`,
    TOPK_LISTENS_TOPIC: `listens-${name}-${tag}`,
    TOPK_DLQ_TOPIC: `listens-${name}-${tag}.dlq`,
    TOPK_CONSUMER_GROUP: `topk-aggregator-${name}-${tag}`,
    TOPK_KAFKA_BROKERS: process.env.TOPK_KAFKA_BROKERS ?? '127.0.0.1:9092',
    TOPK_CASSANDRA_CONTACT_POINTS: process.env.TOPK_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042',
    TOPK_REDIS_URL: process.env.TOPK_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

/**
 * Removes what a `topk serve` child started with `env` (from serveTestEnv) left on the shared
 * test stack: its keyspace, its topics and its consumer group. Returns the child's Config, for
 * whatever else a test cleans.
 */
export async function removeServeTestData(env: Record<string, string>): Promise<Config> {
  const config = loadConfig({ env: { ...process.env, ...env }, persistToken: false });
  const quiet = pino({ level: 'silent' });
  const db = createCassandra(config, quiet, { keyspace: false });
  await db.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`).catch(() => undefined);
  await db.shutdown();
  const admin = createKafka(config, quiet).admin();
  await admin.connect();
  await admin.deleteGroups([config.consumerGroup]).catch(() => undefined);
  await admin.deleteTopics({ topics: [config.listensTopic, config.dlqTopic] }).catch(() => undefined);
  await admin.disconnect();
  return config;
}
