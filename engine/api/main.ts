/**
 * Composition root of the engine REST API: config from the environment,
 * clients, crawl service, Fastify on config.apiHost:config.apiPort.
 * Logs `{"msg":"ready"}` when listening; SIGTERM/SIGINT close cleanly.
 */
import { createCassandra } from '../shared/cassandra';
import { loadConfig } from '../shared/config';
import { createKafka } from '../shared/kafka';
import { createLogger } from '../shared/logger';
import { runProcess } from '../shared/process-lifecycle';
import { createRedis } from '../shared/redis';
import { CrawlService } from '../crawler/crawl-service';
import { createApiServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('api', { level: config.logLevel });
  const cassandra = createCassandra(config, log);
  const redis = createRedis(config, log, { name: 'topk-api' });
  const kafka = createKafka(config, log, 'topk-api');
  const crawlService = new CrawlService({ cassandra, redis, kafka, config, log });
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
      await crawlService.close();
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

runProcess('api', main);
