import { createHash } from 'node:crypto';
import cassandra from 'cassandra-driver';
import type { CassandraClient } from '../cassandra';
import { READ } from '../cassandra-policies';
import { mapLimit } from '../concurrency';
import { ListenStore } from './listens';
import { localDate, toNumber } from './rows';

export const DAY_TOTAL_SHARDS = 8;
export const INCR_USER_DAY_TOTAL = 'UPDATE user_day_totals SET plays = plays + ? WHERE user_id = ? AND day = ?';
export const INCR_DAY_TOTAL = 'UPDATE day_totals SET plays = plays + ? WHERE day = ? AND shard = ?';

/** The day_totals shard a user's plays go to. */
export function shardOf(userId: string): number {
  return createHash('sha1').update(userId).digest().readUInt32BE(0) % DAY_TOTAL_SHARDS;
}

const ALL_SHARDS = Array.from({ length: DAY_TOTAL_SHARDS }, (_, i) => i);
const long = (n: number) => cassandra.types.Long.fromNumber(n);

/**
 * Plays per (user, day) and per day (cql/0005: `user_day_totals`, `day_totals` in shards): the
 * listening-activity totals. The aggregator adds the same new-listens-only increments as to
 * daily_counts (CountStore.increment); recovery and rebuild make them equal to the raw listens
 * again; GDPR and the janitor delete them.
 */
export class PlayTotalStore {
  constructor(private readonly db: CassandraClient) {}

  /** A user's plays per day for the given days (day → plays; days without plays absent). */
  async userDays(userId: string, days: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!days.length) return out;
    const rs = await this.db.execute('SELECT day, plays FROM user_day_totals WHERE user_id = ? AND day IN ?', [userId, days.map(localDate)], READ);
    for (const r of rs.rows) {
      const n = toNumber(r.plays);
      if (n > 0) out.set(String(r.day), n);
    }
    return out;
  }

  /** Every user's plays per day: the sum of each day's shards (DAY_TOTAL_SHARDS rows per day). */
  async days(days: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!days.length) return out;
    const rs = await this.db.execute('SELECT day, plays FROM day_totals WHERE day IN ? AND shard IN ?', [days.map(localDate), ALL_SHARDS], READ);
    for (const r of rs.rows) out.set(String(r.day), (out.get(String(r.day)) ?? 0) + toNumber(r.plays));
    for (const [d, n] of out) if (n <= 0) out.delete(d);
    return out;
  }

  /**
   * Make user_day_totals of (user, day) equal to the number of its raw listens;
   * the same delta goes to the user's day_totals shard unless `global: false`
   * (then recomputeDay re-derives the day). Returns the delta applied.
   */
  async recomputeUserDay(
    userId: string,
    day: string,
    opts: { global?: boolean; dryRun?: boolean } = {},
  ): Promise<number> {
    const [want, rs] = await Promise.all([
      new ListenStore(this.db).count(userId, day),
      this.db.execute('SELECT plays FROM user_day_totals WHERE user_id = ? AND day = ?', [userId, localDate(day)], READ),
    ]);
    const have = rs.first() ? toNumber(rs.first().plays) : 0;
    const delta = want - have;
    if (delta === 0 || opts.dryRun) return delta;
    // global first, like recomputeUserDay: a crash between the two leaves the user row to fix again
    if (opts.global !== false) await this.db.execute(INCR_DAY_TOTAL, [long(delta), localDate(day), shardOf(userId)], { prepare: true });
    await this.db.execute(INCR_USER_DAY_TOTAL, [long(delta), userId, localDate(day)], { prepare: true });
    return delta;
  }

  /**
   * Make every day_totals shard of `day` equal to the sum of the user_day_totals
   * of its users (callers pass every user with data on that day, from day_users).
   * Returns the shards fixed.
   */
  async recomputeDay(
    day: string,
    userIds: string[],
    opts: { dryRun?: boolean } = {},
  ): Promise<Array<{ day: string; shard: number; before: number; after: number }>> {
    const want = new Map<number, number>();
    await mapLimit(userIds, 16, async (u) => {
      const rs = await this.db.execute('SELECT plays FROM user_day_totals WHERE user_id = ? AND day = ?', [u, localDate(day)], READ);
      const n = rs.first() ? toNumber(rs.first().plays) : 0;
      want.set(shardOf(u), (want.get(shardOf(u)) ?? 0) + n);
    });
    const rs = await this.db.execute('SELECT shard, plays FROM day_totals WHERE day = ? AND shard IN ?', [localDate(day), ALL_SHARDS], READ);
    const have = new Map(rs.rows.map((r) => [r.shard as number, toNumber(r.plays)]));
    const fixes = ALL_SHARDS.map((shard) => ({ day, shard, before: have.get(shard) ?? 0, after: want.get(shard) ?? 0 })).filter((f) => f.before !== f.after);
    if (!opts.dryRun) {
      await mapLimit(fixes, 8, (f) => this.db.execute(INCR_DAY_TOTAL, [long(f.after - f.before), localDate(day), f.shard], { prepare: true }));
    }
    return fixes;
  }

  /** GDPR: take a user's plays of `day` out of the day's shard and drop the user's row. */
  async deleteUserDay(userId: string, day: string): Promise<void> {
    const rs = await this.db.execute('SELECT plays FROM user_day_totals WHERE user_id = ? AND day = ?', [userId, localDate(day)], READ);
    const n = rs.first() ? toNumber(rs.first().plays) : 0;
    if (n !== 0) await this.db.execute(INCR_DAY_TOTAL, [long(-n), localDate(day), shardOf(userId)], { prepare: true });
    await this.db.execute('DELETE FROM user_day_totals WHERE user_id = ? AND day = ?', [userId, localDate(day)], { prepare: true });
  }

  /** Janitor: a user's total of a day past retention. */
  async dropUserDay(userId: string, day: string): Promise<void> {
    await this.db.execute('DELETE FROM user_day_totals WHERE user_id = ? AND day = ?', [userId, localDate(day)], { prepare: true });
  }

  /** Janitor: every shard of a day past retention. */
  async dropDay(day: string): Promise<void> {
    await this.db.execute('DELETE FROM day_totals WHERE day IN ? AND shard IN ?', [[localDate(day)], ALL_SHARDS], { prepare: true });
  }
}
