/**
 * Composition root of the engine REST API: config from the environment,
 * clients, crawl service, Fastify on config.apiHost:config.apiPort.
 * Logs `{"msg":"ready"}` when listening; SIGTERM/SIGINT close cleanly.
 */
import { createCassandra } from '../shared/cassandra';
import { loadConfig } from '../shared/config';
import type { Config } from '../shared/config';
import { createKafka } from '../shared/kafka';
import { createLogger } from '../shared/logger';
import type { Logger } from '../shared/logger';
import { createRedis } from '../shared/redis';
import type { CassandraClient } from '../shared/cassandra';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { CrawlServicePort } from './crawl-port';
import { createApiServer } from './server';

type ClosableCrawlService = CrawlServicePort & { close(): Promise<void> };

/** The crawl service of the pipeline (engine/crawler/crawl-service.ts), when that module is present. */
async function loadCrawlService(deps: { cassandra: CassandraClient; redis: Redis; kafka: Kafka; config: Config; log: Logger }): Promise<ClosableCrawlService | undefined> {
  const specifier = '../crawler/crawl-service';
  try {
    const mod = (await import(specifier)) as { CrawlService?: new (d: typeof deps) => ClosableCrawlService };
    return mod.CrawlService ? new mod.CrawlService(deps) : undefined;
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'crawl service unavailable; source/crawl/import routes answer 503');
    return undefined;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('api', { level: config.logLevel });
  const cassandra = createCassandra(config, log);
  const redis = createRedis(config, log, { name: 'topk-api' });
  const kafka = createKafka(config, log, 'topk-api');
  const crawlService = await loadCrawlService({ cassandra, redis, kafka, config, log });
  const server = await createApiServer({ config, log, cassandra, redis, kafka, crawlService });
  const url = await server.listen();
  log.info({ url, port: config.apiPort }, 'ready');
  process.send?.({ type: 'ready', url });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await server.close();
      await crawlService?.close();
      await Promise.allSettled([cassandra.shutdown(), redis.quit()]);
    } finally {
      log.info('stopped');
      log.flush();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  const log = createLogger('api');
  log.fatal({ err }, 'api failed to start');
  log.flush();
  setTimeout(() => process.exit(1), 100);
});
