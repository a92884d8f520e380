import { playsPerRow } from '../shared/chart-rows';
import { mapLimit } from '../shared/concurrency';
import type { TotalFix } from '../shared/store/play-totals';
import type { Store } from '../shared/store/store';

export interface CountFix {
  user_id: string;
  day: string;
  song_id: string;
  /** counter value before the fix */
  before: number;
  /** value computed from raw listens */
  after: number;
}

export interface GlobalFix {
  day: string;
  /** the global shard (Kafka partition) of the count */
  shard: number;
  song_id: string;
  before: number;
  after: number;
}

type CountsAndListens = Pick<Store, 'counts' | 'listens' | 'trackNames'>;

/**
 * Make daily_counts of (user, day) equal to the counts of its raw listens by
 * applying the difference as counter deltas; the same deltas go to
 * the user's global shard (`global: false` leaves those alone). Returns the fixes
 * and the chart rows of the raw listens.
 */
export async function recomputeUserDay(
  store: CountsAndListens,
  userId: string,
  day: string,
  opts: { global?: boolean; dryRun?: boolean; concurrency?: number } = {},
): Promise<{ fixes: CountFix[]; rawSongs: string[] }> {
  const [raw, counters] = await Promise.all([rowCounts(store, userId, day), store.counts.userDay(userId, day)]);
  const fixes: CountFix[] = [];
  for (const song of new Set([...raw.keys(), ...counters.keys()])) {
    const want = raw.get(song) ?? 0;
    const have = counters.get(song) ?? 0;
    if (want !== have) fixes.push({ user_id: userId, day, song_id: song, before: have, after: want });
  }
  if (!opts.dryRun && fixes.length > 0) {
    // the user's counts of the day sit in the shard of the partition that counted them
    let shard = 0;
    if (opts.global !== false) {
      const known = await store.counts.shardsOf(userId, day);
      if (known.length) shard = known[0]!;
      else await store.counts.indexDays([{ user: userId, day }], 1, shard);
    }
    await mapLimit(fixes, opts.concurrency ?? 32, async (f) => {
      const delta = f.after - f.before;
      // global first: a crash between the two leaves the user row unfixed, so the next
      // recompute of this slice sees the difference again (global may then be off by the
      // delta; `topk rebuild` without --user recomputes global counts from user counts)
      if (opts.global !== false) await store.counts.addGlobal(day, shard, f.song_id, delta);
      await store.counts.addUser(userId, day, f.song_id, delta);
    });
  }
  return { fixes, rawSongs: [...raw.keys()] };
}

/** Plays per chart row of the raw listens of (user, day): what the writer counted for them. */
async function rowCounts(store: CountsAndListens, userId: string, day: string): Promise<Map<string, number>> {
  const listens = await store.listens.named(userId, day);
  return playsPerRow(listens, await store.trackNames.chartRows(listens, 16));
}

/** Global counters of one shard of `day` made equal to `want` for every song either side names. */
async function applyGlobal(
  store: Pick<Store, 'counts'>,
  day: string,
  shard: number,
  want: Map<string, number>,
  have: Map<string, number>,
  dryRun: boolean,
): Promise<GlobalFix[]> {
  const fixes: GlobalFix[] = [];
  for (const song of new Set([...want.keys(), ...have.keys()])) {
    const a = want.get(song) ?? 0;
    const b = have.get(song) ?? 0;
    if (a !== b) fixes.push({ day, shard, song_id: song, before: b, after: a });
  }
  if (!dryRun) await mapLimit(fixes, 32, (f) => store.counts.addGlobal(day, shard, f.song_id, f.after - f.before));
  return fixes;
}

/**
 * Make every global shard of `day` equal to the sum of the daily_counts of
 * the users that shard counted (day_shard_users).
 */
export async function recomputeGlobalDay(store: Pick<Store, 'counts'>, day: string, opts: { dryRun?: boolean } = {}): Promise<GlobalFix[]> {
  const fixes: GlobalFix[] = [];
  for (const shard of await store.counts.shardsOn(day)) {
    const want = new Map<string, number>();
    await mapLimit(await store.counts.usersOnShard(day, shard), 16, async (u) => {
      for (const [song, n] of await store.counts.userDay(u, day)) want.set(song, (want.get(song) ?? 0) + n);
    });
    fixes.push(...(await applyGlobal(store, day, shard, want, await store.counts.shardDay(day, shard), opts.dryRun === true)));
  }
  return fixes;
}

/**
 * Make the play total of every shard of `day` (day_shard_totals) equal to the
 * sum of the user_day_totals of the users that shard counted (day_shard_users).
 */
export async function recomputeDayTotals(store: Pick<Store, 'counts' | 'playTotals'>, day: string, opts: { dryRun?: boolean } = {}): Promise<TotalFix[]> {
  const fixes: TotalFix[] = [];
  for (const shard of await store.counts.shardsOn(day)) {
    const fix = await store.playTotals.recomputeShard(day, shard, await store.counts.usersOnShard(day, shard), opts);
    if (fix) fixes.push(fix);
  }
  return fixes;
}

/**
 * Make the global counts of (day, song) in `shard` for the given songs equal
 * to the sum of the daily_counts of the shard's users. Exact because nothing
 * else increments the shard meanwhile: its only writer is the consumer owning
 * the Kafka partition, which holds its write lock while it recovers.
 */
export async function recomputeGlobalSongs(store: Pick<Store, 'counts'>, day: string, shard: number, songs: string[]): Promise<GlobalFix[]> {
  if (songs.length === 0) return [];
  const want = new Map<string, number>(songs.map((s) => [s, 0]));
  const users = await store.counts.usersOnShard(day, shard);
  const chunks: string[][] = [];
  for (let i = 0; i < songs.length; i += 100) chunks.push(songs.slice(i, i + 100));
  await mapLimit(
    users.flatMap((u) => chunks.map((c) => [u, c] as const)),
    16,
    async ([u, c]) => {
      for (const [song, n] of await store.counts.userDaySongs(u, day, c)) want.set(song, (want.get(song) ?? 0) + n);
    },
  );
  const have = new Map<string, number>();
  await mapLimit(chunks, 4, async (c) => {
    for (const [song, n] of await store.counts.shardDaySongs(day, shard, c)) have.set(song, n);
  });
  return applyGlobal(store, day, shard, want, have, false);
}
