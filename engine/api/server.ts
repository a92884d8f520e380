import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { cqlDir } from '../shared/app-paths';
import type { CassandraClient } from '../shared/cassandra';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { createSources } from '../crawler/sources/registry';
import { createApiApp } from './api-app';
import { TopkCache } from './cache';
import type { ApiContext } from './context';
import type { CrawlServicePort } from './crawl-port';
import { UserDataService } from './gdpr';
import { ApiMetrics } from './metrics';
import { OpenApiCollector } from './openapi';
import { PipelineInspector } from './pipeline';
import { ReadinessChecker } from './readiness';
import { ChangeFeed, feedFromInvalidations } from './change-feed';
import { TopkService } from './topk-service';
import { RankedSets } from '../shared/ranked-sets';
import { redisNames } from '../shared/stats';
import { createStore } from '../shared/store/store';

export interface ApiDeps {
  config: Config;
  log: Logger;
  cassandra: CassandraClient;
  /** command connection (cache, stats); owned by the caller */
  redis: Redis;
  /** pub/sub connection for `topk:invalidate`; when absent one is duplicated from `redis` and closed by the server */
  redisSubscriber?: Redis;
  kafka: Kafka;
  /** the crawl/source service; without it the source/crawl/import routes answer 503 */
  crawlService?: CrawlServicePort;
  /** folder of the CQL migrations (readiness checks the tables they create) */
  cqlDir?: string;
  now?: () => number;
  /** default 64 KiB for JSON bodies (imports are streamed with their own limit) */
  bodyLimit?: number;
}

export interface ApiServer {
  app: FastifyInstance;
  ctx: ApiContext;
  /** listen on config.apiHost:config.apiPort (or the given port, 0 = any); resolves to the bound URL */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

/** Everything the routes use, built from the clients; connects nothing by itself. */
export function createApiContext(deps: ApiDeps): ApiContext {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  const pipeline = new PipelineInspector({ kafka: deps.kafka, redis: deps.redis, log, statsKey: redisNames(config.keyspace).stats, topic: config.listensTopic, group: config.consumerGroup });
  const metrics = new ApiMetrics({
    pipelineStats: () => pipeline.stats(),
    consumerLag: async () => (await pipeline.consumerLag().catch(() => null))?.partitions ?? null,
  });
  const ranked = new RankedSets(deps.redis, config.keyspace);
  const cache = new TopkCache({ redis: deps.redis, keyspace: config.keyspace, ttlSeconds: config.cacheTtlSeconds, metrics, log, lruMax: config.apiLruMax });
  const store = createStore(deps.cassandra);
  const openapi = new OpenApiCollector({
    title: 'Heavy Rotation engine API',
    version: '1',
    description:
      'Local REST API of Heavy Rotation. Every route except /healthz and /readyz needs `Authorization: Bearer $TOPK_API_TOKEN`. ' +
      'Errors are `{error:{code,message,field?}}`. Top-K answers are cached (in-process LRU + Redis, TTL TOPK_CACHE_TTL_SECONDS) and ' +
      'invalidated within seconds when new listens are counted; `cache=bypass` or `Cache-Control: no-cache` skips the cache.',
  });
  const ctx: ApiContext = {
    config,
    log,
    db: deps.cassandra,
    redis: deps.redis,
    store,
    cache,
    topk: new TopkService(store, cache, metrics, now, ranked, log),
    users: new UserDataService({ store, ranked, cache, crawl: deps.crawlService, retentionDays: config.retentionDays, now, log }),
    crawl: deps.crawlService,
    metrics,
    pipeline,
    readiness: new ReadinessChecker({
      cassandra: deps.cassandra,
      keyspace: config.keyspace,
      redis: deps.redis,
      kafkaPing: () => pipeline.ping(),
      cqlDir: deps.cqlDir ?? cqlDir(),
    }),
    openapi,
    sources: [...createSources(config).values()].map((a) => ({ id: a.id, configSchema: a.configSchema })),
    now,
  };

  return ctx;
}

/** The engine REST API: the app of createApiApp over a context of createApiContext, following cache invalidations. */
export async function createApiServer(deps: ApiDeps): Promise<ApiServer> {
  const { config, log } = deps;
  const ctx = createApiContext(deps);
  const { cache, pipeline } = ctx;
  const changes = new ChangeFeed();
  const app = await createApiApp(ctx, { changes, bodyLimit: deps.bodyLimit });

  const subscriber = deps.redisSubscriber ?? deps.redis.duplicate({ connectionName: 'topk-api-sub' });
  subscriber.on('error', (err: Error) => log.debug({ err: err.message }, 'redis subscriber error'));
  if (subscriber.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 5000);
      subscriber.once('ready', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  await cache.subscribe(subscriber).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'cache invalidation subscription failed; will retry on reconnect'));
  // after the cache's listener: an answer is dropped before clients hear that it changed
  feedFromInvalidations(subscriber, redisNames(config.keyspace).invalidate, changes);

  await app.ready();

  return {
    app,
    ctx,
    async listen(port = config.apiPort) {
      return app.listen({ host: config.apiHost, port });
    },
    async close() {
      await app.close();
      changes.close();
      if (!deps.redisSubscriber) subscriber.disconnect();
      await pipeline.close();
    },
  };
}
