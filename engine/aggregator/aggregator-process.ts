import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import type { Logger } from '../shared/logger';
import { createKafka } from '../shared/kafka';
import { createCassandra } from '../shared/cassandra';
import { stopOnSignals } from '../shared/process-lifecycle';
import { createRedis } from '../shared/redis';
import { Aggregator } from './aggregator';

export interface AggregatorProcessHooks {
  /** called after a chunk's counters are written, before its intent is deleted (crash tests pass one) */
  afterCounters?: (log: Logger) => void;
}

/**
 * The aggregator process (entry: main.ts). Its tuning knobs, read through Config:
 * - TOPK_AGGREGATOR_DEDUPE=0: skip the dedupe path (benchmark of its cost only; counts are then NOT exact)
 * - TOPK_AGGREGATOR_SETTLE_MS: wait after a failed write before recovering (default 11 s, above Cassandra's counter write timeout)
 * - TOPK_AGGREGATOR_FETCH_KB, TOPK_AGGREGATOR_CHUNK: bytes fetched per partition, messages written per chunk (Config)
 * - TOPK_AGGREGATOR_STATS_KEY: Redis hash for the pipeline counters and stage times (default: the keyspace's stats hash, shared/stats.ts redisNames; benchmarks use their own)
 */
export async function runAggregatorProcess(hooks: AggregatorProcessHooks = {}): Promise<void> {
  const config = loadConfig();
  const log = createLogger('aggregator', { level: config.logLevel });
  const kafka = createKafka(config, log, 'topk-aggregator');
  const db = createCassandra(config, log);
  const redis = createRedis(config, log, { name: 'topk-aggregator' });
  const agg = new Aggregator({
    kafka,
    db,
    redis,
    config,
    log,
    dedupe: config.aggregatorDedupe,
    statsKey: config.aggregatorStatsKey,
    settleMs: config.aggregatorSettleMs,
    afterCounters: hooks.afterCounters ? () => hooks.afterCounters!(log) : undefined,
  });

  stopOnSignals(log, async () => {
    await agg.close();
    await db.shutdown().catch(() => undefined);
    await redis.quit().catch(() => undefined);
    log.info({ stats: agg.stats }, 'stopped');
  });

  await db.connect();
  await agg.start();
  log.info({ group: config.consumerGroup, topic: config.listensTopic, dedupe: config.aggregatorDedupe }, 'ready');
  process.send?.({ type: 'ready' });
}
