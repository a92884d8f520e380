import type { Redis } from 'ioredis';

/** Redis hash of pipeline counters read by /metrics (INTERFACES.md), for the default keyspace. */
export const STATS_KEY = 'topk:stats';
/** Channel of cache invalidations after each committed aggregator batch, for the default keyspace. */
export const INVALIDATE_CHANNEL = 'topk:invalidate';

export interface RedisNames {
  /** hash of pipeline counters */
  stats: string;
  /** pub/sub channel of cache invalidations */
  invalidate: string;
  /** prefix of cached Top-K answers */
  cachePrefix: string;
  /** prefix of the ranked sets that serve Top-K reads (engine/shared/ranked-sets.ts) */
  rankedPrefix: string;
}

/**
 * The Redis names of one deployment. Deployments (keyspaces) sharing one Redis
 * keep their counters, cached answers and invalidations apart, the way their
 * crawl queues are apart; the default keyspace `topk` keeps the plain names.
 */
export function redisNames(keyspace: string): RedisNames {
  const p = keyspace === 'topk' ? 'topk:' : `topk:${keyspace}:`;
  return { stats: `${p}stats`, invalidate: `${p}invalidate`, cachePrefix: `${p}cache:`, rankedPrefix: `${p}rk:` };
}

export type StatField =
  | 'listens_ingested'
  | 'duplicates_dropped'
  | 'dlq_total'
  | 'expired_dropped'
  | 'batches'
  | 'crawls_done'
  | 'crawls_failed'
  | 'listens_fetched'
  /** aggregator stage times in microseconds, summed over chunks (read by `topk bench ingest`) */
  | 'stage_validate_us'
  | 'stage_dedupe_us'
  | 'stage_raw_us'
  | 'stage_counts_us'
  | 'stage_commit_us';

/** Increment several stats fields at once; zero increments are skipped. Best effort: never throws. */
export async function incrStats(redis: Redis, fields: Partial<Record<StatField, number>>, key = STATS_KEY): Promise<void> {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined && v !== 0);
  if (entries.length === 0) return;
  try {
    const m = redis.multi();
    for (const [f, v] of entries) m.hincrby(key, f, v as number);
    await m.exec();
  } catch {
    /* stats are best effort */
  }
}
