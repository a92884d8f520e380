import type { CassandraClient } from '../shared/cassandra';
import { countRawListens } from '../shared/store/listens';
import { mapLimit } from '../shared/concurrency';

export interface CountFix {
  user_id: string;
  day: string;
  song_id: string;
  /** counter value before the fix */
  before: number;
  /** value computed from raw listens */
  after: number;
}

/** All counter rows (even ≤ 0) of one (user, day). */
async function readCounterRows(db: CassandraClient, userId: string, day: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const q = 'SELECT song_id, plays FROM daily_counts WHERE user_id = ? AND day = ?';
  for await (const r of db.stream(q, [userId, day], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<{ song_id: string; plays: unknown }>) {
    out.set(r.song_id, Number(String(r.plays)));
  }
  return out;
}

/**
 * Make daily_counts of (user, day) equal to the counts of its raw listens by
 * applying the difference as counter deltas; the same deltas go to
 * global_daily_counts (`global: false` leaves those alone). Returns the fixes.
 */
export async function recomputeUserDay(
  db: CassandraClient,
  userId: string,
  day: string,
  opts: { global?: boolean; dryRun?: boolean; concurrency?: number } = {},
): Promise<CountFix[]> {
  const [raw, counters] = await Promise.all([countRawListens(db, userId, day), readCounterRows(db, userId, day)]);
  const fixes: CountFix[] = [];
  for (const song of new Set([...raw.keys(), ...counters.keys()])) {
    const want = raw.get(song) ?? 0;
    const have = counters.get(song) ?? 0;
    if (want !== have) fixes.push({ user_id: userId, day, song_id: song, before: have, after: want });
  }
  if (opts.dryRun || fixes.length === 0) return fixes;
  await mapLimit(fixes, opts.concurrency ?? 32, async (f) => {
    const delta = f.after - f.before;
    // global first: a crash between the two leaves the user row unfixed, so the next
    // recompute of this slice sees the difference again (global may then be off by the
    // delta; `topk rebuild` without --user recomputes global counts from user counts)
    if (opts.global !== false) {
      await db.execute('UPDATE global_daily_counts SET plays = plays + ? WHERE day = ? AND song_id = ?', [delta, day, f.song_id], {
        prepare: true,
      });
    }
    await db.execute('UPDATE daily_counts SET plays = plays + ? WHERE user_id = ? AND day = ? AND song_id = ?', [delta, userId, day, f.song_id], {
      prepare: true,
    });
  });
  return fixes;
}

/**
 * Make global_daily_counts of `day` equal to the sum of the given users'
 * daily_counts for that day (callers pass every user with data on that day).
 */
export async function recomputeGlobalDay(
  db: CassandraClient,
  day: string,
  userIds: string[],
  opts: { dryRun?: boolean } = {},
): Promise<Array<{ day: string; song_id: string; before: number; after: number }>> {
  const want = new Map<string, number>();
  await mapLimit(userIds, 16, async (u) => {
    for (const [song, n] of await readCounterRows(db, u, day)) want.set(song, (want.get(song) ?? 0) + n);
  });
  const have = new Map<string, number>();
  const q = 'SELECT song_id, plays FROM global_daily_counts WHERE day = ?';
  for await (const r of db.stream(q, [day], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<{ song_id: string; plays: unknown }>) {
    have.set(r.song_id, Number(String(r.plays)));
  }
  const fixes: Array<{ day: string; song_id: string; before: number; after: number }> = [];
  for (const song of new Set([...want.keys(), ...have.keys()])) {
    const a = want.get(song) ?? 0;
    const b = have.get(song) ?? 0;
    if (a !== b) fixes.push({ day, song_id: song, before: b, after: a });
  }
  if (!opts.dryRun) {
    await mapLimit(fixes, 32, (f) =>
      db.execute('UPDATE global_daily_counts SET plays = plays + ? WHERE day = ? AND song_id = ?', [f.after - f.before, day, f.song_id], {
        prepare: true,
      }),
    );
  }
  return fixes;
}

/** Users with data on a day (day_users). */
export async function usersOfDay(db: CassandraClient, day: string): Promise<string[]> {
  const out: string[] = [];
  const rows = db.stream('SELECT user_id FROM day_users WHERE day = ?', [day], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<{ user_id: string }>;
  for await (const r of rows) out.push(r.user_id);
  return out;
}

/**
 * Make global_daily_counts of (day, song) for the given songs equal to the sum
 * of every user's daily_counts. Exact when no other writer changes these
 * counters meanwhile (the aggregator holds its write lock while it recovers).
 */
export async function recomputeGlobalSongs(
  db: CassandraClient,
  day: string,
  songs: string[],
): Promise<Array<{ day: string; song_id: string; before: number; after: number }>> {
  if (songs.length === 0) return [];
  const want = new Map<string, number>(songs.map((s) => [s, 0]));
  const users = await usersOfDay(db, day);
  const chunks: string[][] = [];
  for (let i = 0; i < songs.length; i += 100) chunks.push(songs.slice(i, i + 100));
  await mapLimit(
    users.flatMap((u) => chunks.map((c) => [u, c] as const)),
    16,
    async ([u, c]) => {
      const rs = await db.execute('SELECT song_id, plays FROM daily_counts WHERE user_id = ? AND day = ? AND song_id IN ?', [u, day, c], { prepare: true });
      for (const r of rs.rows) want.set(r.song_id as string, (want.get(r.song_id as string) ?? 0) + Number(String(r.plays)));
    },
  );
  const fixes: Array<{ day: string; song_id: string; before: number; after: number }> = [];
  await mapLimit(chunks, 4, async (c) => {
    const rs = await db.execute('SELECT song_id, plays FROM global_daily_counts WHERE day = ? AND song_id IN ?', [day, c], { prepare: true });
    const have = new Map(rs.rows.map((r) => [r.song_id as string, Number(String(r.plays))]));
    for (const s of c) {
      const a = want.get(s) ?? 0;
      const b = have.get(s) ?? 0;
      if (a !== b) fixes.push({ day, song_id: s, before: b, after: a });
    }
  });
  await mapLimit(fixes, 32, (f) =>
    db.execute('UPDATE global_daily_counts SET plays = plays + ? WHERE day = ? AND song_id = ?', [f.after - f.before, day, f.song_id], { prepare: true }),
  );
  return fixes;
}
