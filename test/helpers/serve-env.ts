import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../main/stack/probes';

/**
 * The settings of a `topk serve` child that a test starts on the shared test stack: a fresh
 * data dir, free ports, and a keyspace, topics and consumer group of its own
 * (`topk_<name>_<tag>`, `listens-<name>-<tag>`, …), so it touches nothing of another run.
 */
export async function serveTestEnv(name: string, tag: string): Promise<Record<string, string>> {
  const [port, apiPort] = [await freePort(), await freePort()];
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
