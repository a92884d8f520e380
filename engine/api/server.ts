import { Ajv } from 'ajv';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { cqlDir } from '../shared/app-paths';
import type { CassandraClient } from '../shared/cassandra';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { TopkCache } from './cache';
import type { ApiContext } from './context';
import type { CrawlServicePort } from './crawl-port';
import { isSourceError } from './crawl-port';
import { ApiError, errorBody, fieldOfValidationError, messageOfValidationError } from './errors';
import { UserDataService } from './gdpr';
import { ApiMetrics } from './metrics';
import { OpenApiCollector } from './openapi';
import { PipelineInspector } from './pipeline';
import { ReadinessChecker } from './readiness';
import { ChangeFeed, feedFromInvalidations } from './change-feed';
import { registerEventRoutes } from './routes/events';
import { registerListenRoutes } from './routes/listens';
import { registerOpsRoutes } from './routes/ops';
import { registerSourceRoutes } from './routes/sources';
import { registerTopkRoutes } from './routes/topk';
import { registerUserRoutes } from './routes/users';
import { registerInsightRoutes } from './routes/insights';
import { controlOrigins, makeHostCheck, makeTokenCheck } from './security';
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

/** The engine REST API: Fastify with validation, auth, host guard, CORS, cache, metrics and OpenAPI. */
export async function createApiServer(deps: ApiDeps): Promise<ApiServer> {
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
    now,
  };

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    return503OnClosing: true,
    // router-level rejections (undecodable URL, a path parameter over 100 chars) get the JSON error shape too
    frameworkErrors: (err, _req, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      const r = reply as unknown as { code(c: number): { send(b: unknown): unknown } };
      void r.code(status).send(errorBody(status === 414 ? 'path_too_long' : 'bad_url', err.message, 'path'));
    },
  });
  // query strings, params and headers are strings on the wire: coerce them; JSON bodies keep their types (5 is not "5")
  const ajvOpts = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false } as const;
  const ajvCoercing = new Ajv({ ...ajvOpts, coerceTypes: 'array' });
  const ajvBody = new Ajv({ ...ajvOpts, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? ajvBody : ajvCoercing).compile(schema));
  openapi.attach(app);

  const hostAllowed = makeHostCheck(config.allowedHosts);
  const tokenOk = makeTokenCheck(config.apiToken);
  const origins = controlOrigins(config.port);

  app.addHook('onRequest', async (req, reply) => {
    if (!hostAllowed(req.headers.host)) {
      return reply.code(403).send(errorBody('forbidden_host', 'Host header is not an allowed name for this API'));
    }
    const origin = req.headers.origin;
    const corsOk = typeof origin === 'string' && origins.has(origin);
    if (corsOk) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Vary', 'Origin');
      reply.header('Access-Control-Expose-Headers', 'X-Cache, Content-Disposition');
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (!corsOk) return reply.code(403).send(errorBody('forbidden_origin', 'Origin not allowed'));
      reply.header('Access-Control-Allow-Methods', 'GET, PUT, POST, PATCH, DELETE');
      reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, Cache-Control');
      reply.header('Access-Control-Max-Age', '600');
      return reply.code(204).send();
    }
    const isPublic = (req.routeOptions.config as { public?: boolean } | undefined)?.public === true;
    if (!isPublic && !tokenOk(req.headers.authorization)) {
      reply.header('WWW-Authenticate', 'Bearer');
      return reply.code(401).send(errorBody('unauthorized', 'missing or invalid bearer token'));
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ route, method: req.method, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    req.log.debug({ method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation && err.validation.length > 0) {
      const first = err.validation[0]!;
      const field = fieldOfValidationError(first, err.validationContext);
      return reply.code(400).send(errorBody('invalid_request', messageOfValidationError(first, field), field));
    }
    if (err instanceof ApiError) return reply.code(err.status).send(errorBody(err.code, err.message, err.field));
    if (isSourceError(err)) return reply.code(400).send(errorBody(err.code, err.message, err.field));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send(errorBody('body_too_large', 'request body is too large', 'body'));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send(errorBody('unsupported_media_type', err.message, 'body'));
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      return reply.code(400).send(errorBody('invalid_json', 'request body is not valid JSON', 'body'));
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody('bad_request', err.message, err.statusCode === 400 ? 'request' : undefined));
    }
    const name = (err as Error).name;
    if (name === 'NoHostAvailableError' || name === 'OperationTimedOutError' || name === 'KafkaJSConnectionError') {
      req.log.warn({ err: err.message, route: req.routeOptions.url }, 'backing service unavailable');
      return reply.code(503).send(errorBody('unavailable', 'a backing service is unavailable; see /readyz'));
    }
    req.log.error({ err, route: req.routeOptions.url }, 'request failed');
    return reply.code(500).send(errorBody('internal', 'internal error'));
  });

  app.setNotFoundHandler((req, reply) => {
    return reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });

  registerOpsRoutes(app, ctx);
  registerTopkRoutes(app, ctx);
  registerListenRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerInsightRoutes(app, ctx);
  const changes = new ChangeFeed();
  registerEventRoutes(app, changes);
  await app.register(async (child) => registerSourceRoutes(child, ctx));

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
