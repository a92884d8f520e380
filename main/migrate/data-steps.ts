import { recomputeDayTotals, recomputeGlobalDay } from '../../engine/aggregator/recompute';
import type { CassandraClient } from '../../engine/shared/cassandra';
import { mapLimit } from '../../engine/shared/concurrency';
import type { Logger } from '../../engine/shared/logger';
import { createStore } from '../../engine/shared/store/store';
import { partitionOfUser } from '../../engine/shared/topics';

/** What a data step may use besides the keyspace's client. */
export interface DataStepContext {
  /** partitions of the `listens` topic (TOPK_TOPIC_PARTITIONS) */
  topicPartitions: number;
  log: Logger;
}

/**
 * 0004: global counts move from global_daily_counts (one partition per day)
 * into global_shard_counts (one per day and Kafka partition). Every user of
 * every day with data is assigned to the partition its listens are keyed to,
 * each shard is re-derived from its users' daily_counts (want − have: running
 * the step again changes nothing), then the day's old partition is deleted.
 */
export async function moveGlobalCountsToShards(db: CassandraClient, ctx: DataStepContext): Promise<{ days: number; users: number }> {
  const { counts } = createStore(db);
  const days = await counts.daysWithUsers();
  let users = 0;
  for (const day of days) {
    const byShard = new Map<number, string[]>();
    for (const u of await counts.usersOn(day)) {
      const shard = partitionOfUser(u, ctx.topicPartitions);
      byShard.set(shard, [...(byShard.get(shard) ?? []), u]);
      users++;
    }
    await mapLimit([...byShard], 4, ([shard, us]) =>
      counts.indexDays(
        us.map((user) => ({ user, day })),
        16,
        shard,
      ),
    );
    await recomputeGlobalDay({ counts }, day);
    await counts.deleteLegacyGlobalDay(day);
  }
  ctx.log.info({ days: days.length, user_days: users }, '0004: global counts moved into per-partition shards');
  return { days: days.length, users };
}

/**
 * 0010: a day's play total moves from day_totals (shards by hash(user) mod 8) into
 * day_shard_totals (one per day and Kafka partition, the shards of the global counts that
 * 0004 set up). Each shard of every day with users is re-derived from the user_day_totals of
 * the users it counted (want − have: running the step again changes nothing), then every
 * day_totals row is deleted.
 */
export async function moveDayTotalsToShards(db: CassandraClient, ctx: DataStepContext): Promise<{ days: number; shards: number }> {
  const store = createStore(db);
  const days = await store.counts.daysWithUsers();
  let shards = 0;
  for (const day of days) {
    await recomputeDayTotals(store, day);
    shards += (await store.counts.shardsOn(day)).length;
  }
  for (const day of new Set([...days, ...(await store.playTotals.legacyDays())])) await store.playTotals.dropLegacyDay(day);
  ctx.log.info({ days: days.length, shards }, '0010: day totals moved into per-partition shards');
  return { days: days.length, shards };
}

/** Data steps run right after a migration's CQL, before it is recorded as applied (so a crash runs them again). */
export const DATA_STEPS: ReadonlyMap<number, (db: CassandraClient, ctx: DataStepContext) => Promise<unknown>> = new Map<number, (db: CassandraClient, ctx: DataStepContext) => Promise<unknown>>([
  [4, moveGlobalCountsToShards],
  [10, moveDayTotalsToShards],
]);
