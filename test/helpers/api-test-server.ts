/**
 * The engine API from the real server factory over the test stack, as the fuzz, security and
 * schemathesis tests use it: a crawl service (real Redis queue, the product's sources and
 * secret box), Kafka topics, consumer group and crawl queue of its own, and a keyspace that is
 * either a fresh one (dropped on close) or a given one (kept).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { createApiServer } from '../../engine/api/server';
import type { ApiServer } from '../../engine/api/server';
import { CrawlService } from '../../engine/crawler/crawl-service';
import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Config } from '../../engine/shared/config';
import { createKafka } from '../../engine/shared/kafka';
import type { Logger } from '../../engine/shared/logger';
import { createRedis } from '../../engine/shared/redis';
import { ensureTopics } from '../../engine/shared/topics';
import { migratedKeyspace, testConfig, testLog } from './index';

export interface ApiTestServer {
  config: Config;
  db: CassandraClient;
  server: ApiServer;
  /** closes the server and its clients, deletes its topics and crawl queue, and drops a keyspace it made */
  close(): Promise<void>;
}

export interface ApiTestServerOptions {
  /** names the topics, group and queue (`listens-<name>-<tag>`, …) and a fresh keyspace `topk_<name>_<tag>` */
  name: string;
  /** use (and keep) this keyspace instead of a fresh one */
  keyspace?: string;
  /** more settings for the server's Config */
  env?: Record<string, string>;
  log?: Logger;
}

export async function startApiTestServer(opts: ApiTestServerOptions): Promise<ApiTestServer> {
  const tag = randomBytes(4).toString('hex');
  const log = opts.log ?? testLog;
  const config = testConfig({
    TOPK_KEYSPACE: opts.keyspace ?? `topk_${opts.name}_${tag}`,
    TOPK_LISTENS_TOPIC: `listens-${opts.name}-${tag}`,
    TOPK_DLQ_TOPIC: `listens-${opts.name}-${tag}.dlq`,
    TOPK_CONSUMER_GROUP: `agg-${opts.name}-${tag}`,
    ...opts.env,
  });
  await migratedKeyspace(config);
  const db = createCassandra(config, log);
  const redis: Redis = createRedis(config, log);
  const kafka: Kafka = createKafka(config, log);
  await ensureTopics(kafka, config);
  const service = new CrawlService({ cassandra: db, redis, kafka, config, log, queueName: `topk-crawl-${opts.name}-${tag}` });
  const server = await createApiServer({ config, log, cassandra: db, redis, kafka, crawlService: service });
  return {
    config,
    db,
    server,
    close: async () => {
      await server.close();
      await service.queue.obliterate({ force: true }).catch(() => undefined);
      await service.close();
      await redis.quit();
      if (!opts.keyspace) await db.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`).catch(() => undefined);
      await db.shutdown();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [config.listensTopic, config.dlqTopic] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
