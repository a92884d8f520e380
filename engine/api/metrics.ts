import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Fields of the Redis hash `topk:stats` exported as gauges. */
export const PIPELINE_STAT_FIELDS = [
  'listens_ingested',
  'duplicates_dropped',
  'dlq_total',
  'expired_dropped',
  'batches',
  'crawls_done',
  'crawls_failed',
  'listens_fetched',
] as const;

export type CacheTier = 'lru' | 'redis' | 'miss' | 'bypass';

export interface ApiMetricsSources {
  /** the `topk:stats` hash, or null when Redis cannot be read */
  pipelineStats(): Promise<Record<string, number> | null>;
  /** committed/end offsets of the aggregator's group, or null when Kafka cannot be read */
  consumerLag(): Promise<{ partition: number; lag: number }[] | null>;
}

/** The API's own prom-client registry: request durations, cache tiers, pipeline gauges. */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'route' | 'method' | 'status_code'>;
  readonly cacheRequests: Counter<'tier'>;
  readonly redisUnavailable: Counter<'op'>;
  readonly cacheInvalidations: Counter;
  readonly rankedFallbacks: Counter;

  constructor(sources: ApiMetricsSources, opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'topk_api_' });
    this.httpDuration = new Histogram({
      name: 'topk_http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status',
      labelNames: ['route', 'method', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.cacheRequests = new Counter({
      name: 'topk_cache_requests_total',
      help: 'Top-K answers by where they came from: lru, redis, miss (computed from Cassandra) or bypass (cache skipped on request)',
      labelNames: ['tier'],
      registers,
    });
    for (const tier of ['lru', 'redis', 'miss', 'bypass']) this.cacheRequests.inc({ tier }, 0);
    this.redisUnavailable = new Counter({
      name: 'topk_cache_redis_unavailable_total',
      help: 'Cache operations skipped because Redis was unreachable (answers came from Cassandra)',
      labelNames: ['op'],
      registers,
    });
    this.redisUnavailable.inc({ op: 'get' }, 0);
    this.cacheInvalidations = new Counter({
      name: 'topk_cache_invalidations_total',
      help: 'Invalidation messages received on topk:invalidate',
      registers,
    });

    this.rankedFallbacks = new Counter({
      name: 'topk_ranked_fallbacks_total',
      help: 'Top-K answers ranked from every counter of the window because the ranked sets in Redis could not serve them',
      registers,
    });

    gaugeOf(registers, 'topk_pipeline_stat', 'Pipeline counters from the Redis hash topk:stats (listens_ingested, duplicates_dropped, dlq_total, crawls_done, crawls_failed, ...)', 'stat', async () => {
      const stats = await sources.pipelineStats();
      return stats && PIPELINE_STAT_FIELDS.map((f) => [f, stats[f] ?? 0]);
    });
    gaugeOf(registers, 'topk_consumer_lag', 'Aggregator consumer lag (messages) per partition of the listens topic', 'partition', async () => {
      const lag = await sources.consumerLag();
      return lag && lag.map((p) => [String(p.partition), p.lag]);
    });
  }
}

/**
 * A gauge with one label whose values are read when /metrics is scraped: `read` gives
 * [label value, value] pairs, or null when its source cannot be read (the gauge is then empty).
 */
function gaugeOf(registers: Registry[], name: string, help: string, label: string, read: () => Promise<Array<[string, number]> | null>): void {
  new Gauge({
    name,
    help,
    labelNames: [label],
    registers,
    async collect() {
      const values = await read();
      this.reset();
      if (!values) return;
      for (const [key, value] of values) this.set({ [label]: key }, value);
    },
  });
}
