import type { CassandraClient } from '../cassandra';
import { READ } from '../cassandra-policies';
import { mapLimit } from '../concurrency';
import { PartitionBatches } from './batches';
import { allRows, localDate, run, streamRows, toNumber } from './rows';
import type { Row } from './rows';

/** Plays per song. */
export type SongCounts = Map<string, number>;

/** The new plays of one (user, day) per song: one counter update each. */
export interface SlicePlays {
  user: string;
  day: string;
  plays: SongCounts;
}

/** A (user, day) with data. */
export interface UserDay {
  user: string;
  day: string;
}

const SELECT_USER_DAY = 'SELECT song_id, plays FROM daily_counts WHERE user_id = ? AND day = ?';
const SELECT_USER_DAY_SONGS = 'SELECT song_id, plays FROM daily_counts WHERE user_id = ? AND day = ? AND song_id IN ?';
const SELECT_SHARD_DAY = 'SELECT song_id, plays FROM global_shard_counts WHERE day = ? AND shard = ?';
const SELECT_SHARD_DAY_SONGS = 'SELECT song_id, plays FROM global_shard_counts WHERE day = ? AND shard = ? AND song_id IN ?';
const ADD_USER = 'UPDATE daily_counts SET plays = plays + ? WHERE user_id = ? AND day = ? AND song_id = ?';
const ADD_GLOBAL = 'UPDATE global_shard_counts SET plays = plays + ? WHERE day = ? AND shard = ? AND song_id = ?';
const ADD_USER_SONGS = 'UPDATE daily_counts SET plays = plays + ? WHERE user_id = ? AND day = ? AND song_id IN ?';
const ADD_GLOBAL_SONGS = 'UPDATE global_shard_counts SET plays = plays + ? WHERE day = ? AND shard = ? AND song_id IN ?';
/** songs in one `song_id IN ?` increment: far below any guardrail a cluster sets by default (none for updates) */
export const SONGS_PER_INCREMENT = 100;
const DELETE_USER_DAY = 'DELETE FROM daily_counts WHERE user_id = ? AND day = ?';
const DELETE_SHARD_DAY = 'DELETE FROM global_shard_counts WHERE day = ? AND shard = ?';
const DELETE_LEGACY_GLOBAL_DAY = 'DELETE FROM global_daily_counts WHERE day = ?';
const SELECT_SHARDS_OF_DAY = 'SELECT shard FROM day_shards WHERE day = ?';
const SELECT_SHARDS_OF_DAYS = 'SELECT day, shard FROM day_shards WHERE day IN ?';
const INSERT_DAY_SHARD = 'INSERT INTO day_shards (day, shard) VALUES (?, ?)';
const DELETE_SHARDS_OF_DAY = 'DELETE FROM day_shards WHERE day = ?';
const INSERT_SHARD_USER = 'INSERT INTO day_shard_users (day, shard, user_id) VALUES (?, ?, ?)';
const SELECT_SHARD_USERS = 'SELECT user_id FROM day_shard_users WHERE day = ? AND shard = ?';
const DELETE_SHARD_USERS = 'DELETE FROM day_shard_users WHERE day = ? AND shard = ?';
const DELETE_SHARD_USER = 'DELETE FROM day_shard_users WHERE day = ? AND shard = ? AND user_id = ?';
const ADD_USER_DAY_SHARD = 'UPDATE user_days SET shards = shards + ? WHERE user_id = ? AND day = ?';
const SELECT_USER_DAY_SHARDS = 'SELECT shards FROM user_days WHERE user_id = ? AND day = ?';
const SELECT_DAYS_WITH_USERS = 'SELECT DISTINCT day FROM day_users';

const INSERT_USER_DAY = 'INSERT INTO user_days (user_id, day) VALUES (?, ?)';
const INSERT_DAY_USER = 'INSERT INTO day_users (day, user_id) VALUES (?, ?)';
const SELECT_DAYS_OF_USER = 'SELECT day FROM user_days WHERE user_id = ?';
const SELECT_DAYS_OF_USERS = 'SELECT user_id, day FROM user_days WHERE user_id IN ?';
/** users per `IN` read of user_days */
const IN_USERS = 100;
const SELECT_USERS_OF_DAY = 'SELECT user_id FROM day_users WHERE day = ?';
const SELECT_USERS_WITH_DAYS = 'SELECT DISTINCT user_id FROM user_days';
const SELECT_ALL_USER_DAYS = 'SELECT user_id, day FROM user_days';
const DELETE_DAYS_OF_USER = 'DELETE FROM user_days WHERE user_id = ?';
const DELETE_DAY_OF_USER = 'DELETE FROM user_days WHERE user_id = ? AND day = ?';
const DELETE_USERS_OF_DAY = 'DELETE FROM day_users WHERE day = ?';
const DELETE_USER_OF_DAY = 'DELETE FROM day_users WHERE day = ? AND user_id = ?';

/** The play totals (cql/0005, cql/0010) the writer increments beside the counters; read and recomputed in play-totals.ts. */
export const INCR_USER_DAY_TOTAL = 'UPDATE user_day_totals SET plays = plays + ? WHERE user_id = ? AND day = ?';
export const INCR_DAY_TOTAL = 'UPDATE day_shard_totals SET plays = plays + ? WHERE day = ? AND shard = ?';

const songPlays = (r: Row): [string, number] => [r.get('song_id') as string, toNumber(r.get('plays'))];

async function collect(rows: AsyncIterable<[string, number]>): Promise<SongCounts> {
  const out: SongCounts = new Map();
  for await (const [song, n] of rows) out.set(song, n);
  return out;
}

/** Sum of count maps. */
export function sumCounts(parts: Iterable<SongCounts>): SongCounts {
  const out: SongCounts = new Map();
  for (const p of parts) for (const [k, v] of p) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

/**
 * Daily counters (`daily_counts` per user, `global_daily_counts` across users)
 * and the day indexes that find them without scans (`user_days`, `day_users`).
 * Counter values are returned as stored, zero and negative ones included
 * (deletes and recomputes leave them); readers rank only positive counts.
 */
export class CountStore {
  constructor(private readonly db: CassandraClient) {}

  // ---- daily_counts / global_daily_counts

  /** Every counter of a (user, day). */
  userDay(user: string, day: string): Promise<SongCounts> {
    return collect(this.userDayRows(user, day));
  }

  /** Every counter of a (user, day), a page at a time (nothing held beyond the page). */
  userDayRows(user: string, day: string): AsyncGenerator<[string, number]> {
    return streamRows(this.db, SELECT_USER_DAY, [user, localDate(day)], songPlays);
  }

  /** Counters of a (user, day) for the given songs (at most ~100 per call). */
  async userDaySongs(user: string, day: string, songs: string[]): Promise<SongCounts> {
    const rs = await this.db.execute(SELECT_USER_DAY_SONGS, [user, localDate(day), songs], READ);
    return new Map(rs.rows.map(songPlays));
  }

  /** Every global count of a day: the sum of its shards. */
  async globalDay(day: string): Promise<SongCounts> {
    return sumCounts(await mapLimit(await this.shardsOn(day), 4, (shard) => this.shardDay(day, shard)));
  }

  /**
   * Every global counter of a day, shard after shard, a page at a time: a song counted in
   * several shards comes once per shard (its global count is the sum), nothing is summed here.
   */
  async *globalDayRows(day: string): AsyncGenerator<[string, number]> {
    for (const shard of await this.shardsOn(day)) yield* streamRows(this.db, SELECT_SHARD_DAY, [localDate(day), shard], songPlays);
  }

  /** Every counter of one shard of a day. */
  shardDay(day: string, shard: number): Promise<SongCounts> {
    return collect(streamRows(this.db, SELECT_SHARD_DAY, [localDate(day), shard], songPlays));
  }

  /** Counters of one shard of a day for the given songs (at most ~100 per call). */
  /** A user's plays per song for each of `days` (day → song → plays); only positive counters are plays. */
  async userSongsByDay(user: string, days: string[]): Promise<Map<string, SongCounts>> {
    const parts = await mapLimit(days, 8, async (d) => new Map([...(await this.userDay(user, d))].filter(([, n]) => n > 0)));
    return new Map(days.map((d, i) => [d, parts[i]!]));
  }

  async shardDaySongs(day: string, shard: number, songs: string[]): Promise<SongCounts> {
    const rs = await this.db.execute(SELECT_SHARD_DAY_SONGS, [localDate(day), shard, songs], READ);
    return new Map(rs.rows.map(songPlays));
  }

  /** The shards holding global counts of a day. */
  shardsOn(day: string): Promise<number[]> {
    return allRows(this.db, SELECT_SHARDS_OF_DAY, [localDate(day)], (r) => r.get('shard') as number);
  }

  /** The shards holding counts of each of the days (day → shards; days without any absent). */
  async shardsOnDays(days: string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    if (!days.length) return out;
    for (const [day, shard] of await allRows(this.db, SELECT_SHARDS_OF_DAYS, [days.map(localDate)], (r) => [String(r.get('day')), r.get('shard') as number] as const)) {
      out.set(day, [...(out.get(day) ?? []), shard]);
    }
    return out;
  }

  /** The users a shard counted on a day. */
  usersOnShard(day: string, shard: number): Promise<string[]> {
    return allRows(this.db, SELECT_SHARD_USERS, [localDate(day), shard], (r) => r.get('user_id') as string);
  }

  /** The shards a user's counts of a day went to (normally one: the Kafka partition of the user's key). */
  async shardsOf(user: string, day: string): Promise<number[]> {
    const rs = await this.db.execute(SELECT_USER_DAY_SHARDS, [user, localDate(day)], READ);
    return ((rs.first()?.get('shards') as number[] | null) ?? []).slice().sort((a, b) => a - b);
  }

  /** Days with any user (a scan of day_users' partition keys: the 0004 data step). */
  daysWithUsers(): Promise<string[]> {
    return allRows(this.db, SELECT_DAYS_WITH_USERS, [], (r) => String(r.get('day')));
  }

  /** The users' counters summed over the days; partitions read in parallel. */
  async userCounts(users: string[], days: string[], concurrency: number): Promise<SongCounts> {
    const slices = users.flatMap((u) => days.map((d) => [u, d] as const));
    return sumCounts(await mapLimit(slices, concurrency, ([u, d]) => this.userDay(u, d)));
  }

  /** Global counts summed over the days; days read in parallel. */
  async globalCounts(days: string[], concurrency: number): Promise<SongCounts> {
    return sumCounts(await mapLimit(days, concurrency, (d) => this.globalDay(d)));
  }

  /**
   * One counter update per (user, day, song) and per (day, shard, song) — the
   * global ones summed over the slices into `shard`, the Kafka partition that
   * counted them —, and the play totals per (user, day) and per (day, shard);
   * batched per partition.
   */
  async increment(slices: SlicePlays[], concurrency: number, shard: number, hooks: { afterUserCounters?: () => Promise<void> } = {}): Promise<void> {
    const batches = new PartitionBatches();
    // the global side; the same batches unless a test holds it back until the user counters are written
    const globalBatches = hooks.afterUserCounters ? new PartitionBatches() : batches;
    const global = new Map<string, SongCounts>();
    const dayTotals = new Map<string, number>();
    for (const s of slices) {
      const day = localDate(s.day);
      let g = global.get(s.day);
      if (!g) global.set(s.day, (g = new Map()));
      let total = 0;
      for (const [song, n] of s.plays) {
        g.set(song, (g.get(song) ?? 0) + n);
        total += n;
      }
      addIncrements(batches, `u\u0001${s.user}\u0001${s.day}`, s.plays, ADD_USER, ADD_USER_SONGS, (n, song) => [n, s.user, day, song]);
      batches.add(`t\u0001${s.user}`, { query: INCR_USER_DAY_TOTAL, params: [total, s.user, day] });
      dayTotals.set(s.day, (dayTotals.get(s.day) ?? 0) + total);
    }
    for (const [d, songs] of global) {
      const day = localDate(d);
      addIncrements(globalBatches, `g\u0001${d}`, songs, ADD_GLOBAL, ADD_GLOBAL_SONGS, (n, song) => [n, day, shard, song]);
    }
    for (const [d, n] of dayTotals) globalBatches.add(`s\u0001${d}`, { query: INCR_DAY_TOTAL, params: [n, localDate(d), shard] });
    await batches.run(this.db, concurrency, true);
    if (hooks.afterUserCounters) {
      await hooks.afterUserCounters();
      await globalBatches.run(this.db, concurrency, true);
    }
  }

  /** plays += delta of one (user, day, song) (negative to subtract). */
  async addUser(user: string, day: string, song: string, delta: number): Promise<void> {
    await run(this.db, ADD_USER, [delta, user, localDate(day), song]);
  }

  /** plays += delta of one global (day, shard, song) (negative to subtract). */
  async addGlobal(day: string, shard: number, song: string, delta: number): Promise<void> {
    await run(this.db, ADD_GLOBAL, [delta, localDate(day), shard, song]);
  }

  async deleteUserDay(user: string, day: string): Promise<void> {
    await run(this.db, DELETE_USER_DAY, [user, localDate(day)]);
  }

  /** Every global count of a day (its shards, their users and index; and the day's pre-0004 partition). */
  async deleteGlobalDay(day: string): Promise<void> {
    for (const shard of await this.shardsOn(day)) {
      await run(this.db, DELETE_SHARD_DAY, [localDate(day), shard]);
      await run(this.db, DELETE_SHARD_USERS, [localDate(day), shard]);
    }
    await run(this.db, DELETE_SHARDS_OF_DAY, [localDate(day)]);
    await this.deleteLegacyGlobalDay(day);
  }

  /** The day's partition of global_daily_counts, the unsharded table before 0004. */
  async deleteLegacyGlobalDay(day: string): Promise<void> {
    await run(this.db, DELETE_LEGACY_GLOBAL_DAY, [localDate(day)]);
  }

  /** Forget a user in a shard's users of a day (GDPR). */
  async deleteShardUser(day: string, shard: number, user: string): Promise<void> {
    await run(this.db, DELETE_SHARD_USER, [localDate(day), shard, user]);
  }

  // ---- user_days / day_users

  /**
   * Record the (user, day)s in the day indexes, with the global shard they are
   * counted in (user_days.shards, day_shard_users, day_shards): one batch per index partition.
   */
  async indexDays(slices: UserDay[], concurrency: number, shard: number): Promise<void> {
    const batches = new PartitionBatches();
    const days = new Set<string>();
    for (const s of slices) {
      const day = localDate(s.day);
      batches.add(`u\u0001${s.user}`, { query: INSERT_USER_DAY, params: [s.user, day] });
      batches.add(`u\u0001${s.user}`, { query: ADD_USER_DAY_SHARD, params: [[shard], s.user, day] });
      batches.add(`d\u0001${s.day}`, { query: INSERT_DAY_USER, params: [day, s.user] });
      batches.add(`h\u0001${s.day}`, { query: INSERT_SHARD_USER, params: [day, shard, s.user] });
      days.add(s.day);
    }
    for (const d of days) batches.add(`x\u0001${d}`, { query: INSERT_DAY_SHARD, params: [localDate(d), shard] });
    await batches.run(this.db, concurrency, false);
  }

  /** Days with data of a user, newest first. */
  daysOf(user: string): Promise<string[]> {
    return allRows(this.db, SELECT_DAYS_OF_USER, [user], (r) => String(r.get('day')));
  }

  /**
   * The days in user_days of each of the users (a user without rows maps to an empty set): one
   * request per 100 users, `concurrency` of them at a time.
   */
  async daysOfUsers(users: string[], concurrency: number): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>(users.map((u) => [u, new Set<string>()]));
    const groups: string[][] = [];
    for (let i = 0; i < users.length; i += IN_USERS) groups.push(users.slice(i, i + IN_USERS));
    await mapLimit(groups, concurrency, async (group) => {
      for await (const r of streamRows(this.db, SELECT_DAYS_OF_USERS, [group], (row) => ({ user: row.get('user_id') as string, day: String(row.get('day')) }))) {
        out.get(r.user)?.add(r.day);
      }
    });
    return out;
  }

  /** Users with data on a day. */
  usersOn(day: string): Promise<string[]> {
    return allRows(this.db, SELECT_USERS_OF_DAY, [localDate(day)], (r) => r.get('user_id') as string);
  }

  /** Every user with data on any day (a scan of the partition keys of user_days). */
  usersWithData(): Promise<string[]> {
    return allRows(this.db, SELECT_USERS_WITH_DAYS, [], (r) => r.get('user_id') as string);
  }

  /** Every (user, day) of user_days (a full scan: the janitor's sweep). */
  allUserDays(): AsyncGenerator<UserDay> {
    return streamRows(this.db, SELECT_ALL_USER_DAYS, [], (r) => ({ user: r.get('user_id') as string, day: String(r.get('day')) }), 2000);
  }

  /** Forget every day of a user in user_days. */
  async deleteDaysOf(user: string): Promise<void> {
    await run(this.db, DELETE_DAYS_OF_USER, [user]);
  }

  /** Forget one (user, day) in user_days. */
  async deleteDayOf(user: string, day: string): Promise<void> {
    await run(this.db, DELETE_DAY_OF_USER, [user, localDate(day)]);
  }

  /** Forget a whole day in day_users. */
  async deleteUsersOn(day: string): Promise<void> {
    await run(this.db, DELETE_USERS_OF_DAY, [localDate(day)]);
  }

  /** Forget one user on a day in day_users. */
  async deleteUserOn(day: string, user: string): Promise<void> {
    await run(this.db, DELETE_USER_OF_DAY, [localDate(day), user]);
  }
}

/**
 * One partition's increments, its songs grouped by their delta: most plays of a chunk are 1 a song,
 * so a (user, day) partition needs one or two statements instead of one a song — `one` for a
 * delta with a single song, else `many` (`song_id IN ?`) per SONGS_PER_INCREMENT songs. The cells
 * and the mutation are the same; the driver encodes, and Cassandra parses, far fewer statements.
 */
function addIncrements(
  batches: PartitionBatches,
  partition: string,
  plays: ReadonlyMap<string, number>,
  one: string,
  many: string,
  params: (delta: number, song: string | string[]) => unknown[],
): void {
  const byDelta = new Map<number, string[]>();
  for (const [song, n] of plays) {
    const l = byDelta.get(n);
    if (l) l.push(song);
    else byDelta.set(n, [song]);
  }
  for (const [n, songs] of byDelta) {
    if (songs.length === 1) batches.add(partition, { query: one, params: params(n, songs[0]!) });
    else for (let i = 0; i < songs.length; i += SONGS_PER_INCREMENT) batches.add(partition, { query: many, params: params(n, songs.slice(i, i + SONGS_PER_INCREMENT)) });
  }
}
