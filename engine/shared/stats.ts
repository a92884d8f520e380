import type { Redis } from 'ioredis';

/** Redis hash of pipeline counters read by /metrics (INTERFACES.md). */
export const STATS_KEY = 'topk:stats';
export const INVALIDATE_CHANNEL = 'topk:invalidate';

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
