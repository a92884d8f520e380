import cassandra from 'cassandra-driver';
import type { CassandraClient } from '../cassandra';
import { READ } from '../cassandra-policies';
import { mapLimit } from '../concurrency';
import { CountStore, INCR_DAY_TOTAL, INCR_USER_DAY_TOTAL } from './counts';
import { ListenStore } from './listens';
import { allRows, localDate, run, toNumber } from './rows';

const SELECT_USER_DAYS = 'SELECT day, plays FROM user_day_totals WHERE user_id = ? AND day IN ?';
const SELECT_USER_DAY = 'SELECT plays FROM user_day_totals WHERE user_id = ? AND day = ?';
const SELECT_SHARD_TOTALS = 'SELECT day, plays FROM day_shard_totals WHERE day IN ? AND shard IN ?';
const SELECT_SHARD_TOTAL = 'SELECT plays FROM day_shard_totals WHERE day = ? AND shard = ?';
const DELETE_USER_DAY = 'DELETE FROM user_day_totals WHERE user_id = ? AND day = ?';
const DELETE_SHARD_TOTAL = 'DELETE FROM day_shard_totals WHERE day = ? AND shard = ?';
/** cql/0005's day_totals (shard = hash(user) mod 8), emptied by the 0010 data step and written no more. */
const DELETE_LEGACY_DAY = 'DELETE FROM day_totals WHERE day = ? AND shard IN ?';
const SELECT_LEGACY_DAYS = 'SELECT DISTINCT day, shard FROM day_totals';
const LEGACY_SHARDS = [0, 1, 2, 3, 4, 5, 6, 7];

const long = (n: number) => cassandra.types.Long.fromNumber(n);

/** A day total of one shard that differed from the sum of its users' totals. */
export interface TotalFix {
  day: string;
  /** the shard: the Kafka partition that counted the plays */
  shard: number;
  before: number;
  after: number;
}

/**
 * Plays per (user, day) and per (day, shard) (cql/0005 `user_day_totals`, cql/0010
 * `day_shard_totals`): the listening-activity totals. A day's total is kept in the shards of
 * the global counts — the Kafka partition that counted the plays, `day_shards` names them —,
 * so each shard has one writer at a time and a recovery re-derives only its own shard. The
 * aggregator adds the same new-listens-only increments as to daily_counts (CountStore.increment);
 * recovery and rebuild make them equal to the raw listens again; GDPR and the janitor delete them.
 */
export class PlayTotalStore {
  private readonly counts: CountStore;

  constructor(private readonly db: CassandraClient) {
    this.counts = new CountStore(db);
  }

  /** A user's plays per day for the given days (day → plays; days without plays absent). */
  async userDays(userId: string, days: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!days.length) return out;
    const rs = await this.db.execute(SELECT_USER_DAYS, [userId, days.map(localDate)], READ);
    for (const r of rs.rows) {
      const n = toNumber(r.plays);
      if (n > 0) out.set(String(r.day), n);
    }
    return out;
  }

  /** Every user's plays per day: the sum of each day's shards (two reads: the days' shards, then their totals). */
  async days(days: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const shards = [...new Set([...(await this.counts.shardsOnDays(days)).values()].flat())];
    if (!shards.length) return out;
    const rs = await this.db.execute(SELECT_SHARD_TOTALS, [days.map(localDate), shards], READ);
    for (const r of rs.rows) out.set(String(r.day), (out.get(String(r.day)) ?? 0) + toNumber(r.plays));
    for (const [d, n] of out) if (n <= 0) out.delete(d);
    return out;
  }

  /** One user's total of a day (0 when there is none). */
  private async userDay(userId: string, day: string): Promise<number> {
    const r = (await this.db.execute(SELECT_USER_DAY, [userId, localDate(day)], READ)).first();
    return r ? toNumber(r.plays) : 0;
  }

  /**
   * Make user_day_totals of (user, day) equal to the number of its raw listens; with `shard`,
   * the same delta goes to that shard's day total (without, recomputeShard re-derives it).
   * Returns the delta applied.
   */
  async recomputeUserDay(userId: string, day: string, opts: { shard?: number; dryRun?: boolean } = {}): Promise<number> {
    const [want, have] = await Promise.all([new ListenStore(this.db).count(userId, day), this.userDay(userId, day)]);
    const delta = want - have;
    if (delta === 0 || opts.dryRun) return delta;
    // the shard first, like recomputeUserDay of the song counters: a crash between the two leaves the user row to fix again
    if (opts.shard !== undefined) await run(this.db, INCR_DAY_TOTAL, [long(delta), localDate(day), opts.shard]);
    await run(this.db, INCR_USER_DAY_TOTAL, [long(delta), userId, localDate(day)]);
    return delta;
  }

  /**
   * Make the day total of (day, shard) equal to the sum of the user_day_totals of the users
   * that shard counted (the caller passes them, from day_shard_users). Exact while nothing
   * else increments the shard: its only writer is the consumer owning the Kafka partition.
   * Returns the fix, if one was needed.
   */
  async recomputeShard(day: string, shard: number, userIds: string[], opts: { dryRun?: boolean } = {}): Promise<TotalFix | undefined> {
    const [perUser, rs] = await Promise.all([
      mapLimit(userIds, 16, (u) => this.userDay(u, day)),
      this.db.execute(SELECT_SHARD_TOTAL, [localDate(day), shard], READ),
    ]);
    const after = perUser.reduce((a, n) => a + n, 0);
    const before = rs.first() ? toNumber(rs.first().plays) : 0;
    if (after === before) return undefined;
    if (!opts.dryRun) await run(this.db, INCR_DAY_TOTAL, [long(after - before), localDate(day), shard]);
    return { day, shard, before, after };
  }

  /** GDPR: take a user's plays of `day` out of the shard they were counted in, and drop the user's row. */
  async deleteUserDay(userId: string, day: string, shard: number): Promise<void> {
    const n = await this.userDay(userId, day);
    if (n !== 0) await run(this.db, INCR_DAY_TOTAL, [long(-n), localDate(day), shard]);
    await run(this.db, DELETE_USER_DAY, [userId, localDate(day)]);
  }

  /** Janitor: a user's total of a day past retention. */
  async dropUserDay(userId: string, day: string): Promise<void> {
    await run(this.db, DELETE_USER_DAY, [userId, localDate(day)]);
  }

  /** Janitor: the given shards of a day past retention (call before day_shards is deleted), and its pre-0010 rows. */
  async dropDay(day: string, shards: number[]): Promise<void> {
    for (const shard of shards) await run(this.db, DELETE_SHARD_TOTAL, [localDate(day), shard]);
    await this.dropLegacyDay(day);
  }

  /** Every shard of a day in cql/0005's day_totals (sharded by user, no longer written). */
  async dropLegacyDay(day: string): Promise<void> {
    await run(this.db, DELETE_LEGACY_DAY, [localDate(day), LEGACY_SHARDS]);
  }

  /** The days with rows in cql/0005's day_totals (a scan of its partition keys: the 0010 data step). */
  async legacyDays(): Promise<string[]> {
    return [...new Set(await allRows(this.db, SELECT_LEGACY_DAYS, [], (r) => String(r.get('day'))))].sort();
  }
}
