import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { HttpError } from '../../shared/http-error';
import { errors } from '../schemas';

const checkSchema = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, error: { type: 'string' }, latency_ms: { type: 'number' } },
} as const;
const readySchema = {
  title: 'Readiness',
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    checks: {
      type: 'object',
      properties: { cassandra: checkSchema, migrations: checkSchema, redis: checkSchema, kafka: checkSchema },
    },
  },
} as const;

/** /healthz, /readyz, /metrics, /openapi.json, /v1/pipeline */
export function registerOpsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        summary: 'Process alive',
        tags: ['operations'],
        security: [],
        backing: false,
        response: { 200: { type: 'object', properties: { status: { type: 'string' }, uptime_s: { type: 'number' } }, required: ['status', 'uptime_s'] } },
      },
    },
    async () => ({ status: 'ok', uptime_s: Math.round(process.uptime()) }),
  );

  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        summary: 'Cassandra, Redis and Kafka reachable and migrations current',
        description: '503 with the failing check(s) when not ready.',
        tags: ['operations'],
        security: [],
        response: { 200: readySchema, 503: { description: 'Not ready: see checks', ...readySchema } },
      },
    },
    async (_req, reply) => {
      const { ready, checks } = await ctx.readiness.check();
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description:
          'Request durations per route, cache answers per tier (lru, redis, miss, bypass) and Redis unavailability, pipeline counters from topk:stats ' +
          '(listens ingested, duplicates dropped, DLQ, crawl outcomes) and the aggregator consumer lag per partition.',
        tags: ['operations'],
        produces: ['text/plain'],
        response: { 200: { description: 'Prometheus text exposition format', type: 'string' }, ...errors() },
      },
    },
    async (_req, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    },
  );

  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This OpenAPI document',
        tags: ['operations'],
        backing: false,
        response: { 200: { description: 'OpenAPI 3.1 document', type: 'object', additionalProperties: true }, ...errors() },
      },
    },
    async () => ctx.openapi.document(),
  );

  app.get(
    '/v1/pipeline',
    {
      schema: {
        summary: 'Pipeline state: aggregator consumer lag and ingest counters',
        description: '`consumer_lag` is the aggregator group\'s total Kafka lag on the listens topic; 0 means every published listen is counted.',
        tags: ['operations'],
        response: {
          200: {
            title: 'PipelineStatus',
            type: 'object',
            required: ['consumer_lag', 'topic', 'group', 'topic_exists', 'partitions', 'stats_available'],
            properties: {
              consumer_lag: { type: 'integer' },
              topic: { type: 'string' },
              group: { type: 'string' },
              topic_exists: { type: 'boolean', description: 'false until the listens topic exists' },
              partitions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    partition: { type: 'integer' },
                    committed: { type: 'integer', description: '-1 when the group never committed' },
                    end: { type: 'integer' },
                    start: { type: 'integer' },
                    lag: { type: 'integer' },
                  },
                },
              },
              listens_ingested: { type: 'integer' },
              duplicates_dropped: { type: 'integer' },
              dlq_total: { type: 'integer' },
              expired_dropped: { type: 'integer' },
              batches: { type: 'integer' },
              crawls_done: { type: 'integer' },
              crawls_failed: { type: 'integer' },
              listens_fetched: { type: 'integer' },
              stats_available: { type: 'boolean', description: 'false when Redis could not be read (counters are then 0)' },
            },
          },
          ...errors(503),
        },
      },
    },
    async () => {
      let lag;
      try {
        lag = await ctx.pipeline.consumerLag();
      } catch (err) {
        ctx.log.warn({ err: (err as Error).message }, 'consumer lag unavailable');
        throw new HttpError(503, 'kafka_unavailable', 'Kafka did not answer; see /readyz');
      }
      const stats = await ctx.pipeline.stats();
      return { ...(stats ?? {}), ...lag, stats_available: stats !== null };
    },
  );
}
