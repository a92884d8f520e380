import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { runProcess, stopOnSignals } from '../shared/process-lifecycle';
import { createKafka } from '../shared/kafka';
import { createCassandra } from '../shared/cassandra';
import { createRedis } from '../shared/redis';
import { SecretBox } from '../shared/crypto';
import { ensureTopics } from '../shared/topics';
import { CrawlService } from './crawl-service';
import { CrawlRunner } from './crawl-runner';
import { CrawlWorker } from './crawl-worker';
import { ListenPublisher } from './publisher';
import { Reconciler } from './reconciler';
import { Janitor } from './janitor';
import { createSources } from './sources/registry';
import { crawlQueueName } from './crawl-queue';

/** Crawler process: BullMQ worker + reconciler over the durable schedule + janitor. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('crawler', { level: config.logLevel });
  const kafka = createKafka(config, log, 'topk-crawler');
  const db = createCassandra(config, log);
  const redis = createRedis(config, log, { name: 'topk-crawler' });
  const workerRedis = createRedis(config, log, { name: 'topk-crawler-worker', forWorker: true });
  const secrets = SecretBox.fromDataDir(config.dataDir);
  const sources = createSources(config);

  await db.connect();
  await ensureTopics(kafka, config);
  const service = new CrawlService({ cassandra: db, redis, kafka, config, log, sources, secrets });
  const publisher = new ListenPublisher(kafka, config);
  const runner = new CrawlRunner({ store: service.store, publisher, sources, secrets, redis, config, log });
  const queueName = crawlQueueName(config.keyspace);
  const worker = new CrawlWorker({ runner, sources, connection: workerRedis, redis, log, queueName });
  const reconciler = new Reconciler({ service, log });
  const janitor = new Janitor({ counts: service.store.counts, playTotals: service.store.playTotals, log, retentionDays: config.retentionDays });
  worker.start();
  reconciler.start();
  janitor.start();

  stopOnSignals(log, async () => {
    await reconciler.close();
    await janitor.close();
    await worker.close();
    await publisher.close();
    await service.close();
    await db.shutdown().catch(() => undefined);
    await redis.quit().catch(() => undefined);
    await workerRedis.quit().catch(() => undefined);
    log.info('stopped');
  });
  log.info({ queue: queueName, sources: [...sources.keys()] }, 'ready');
  process.send?.({ type: 'ready' });
}

runProcess('crawler', main);
