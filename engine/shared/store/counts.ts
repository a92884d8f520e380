import type { CassandraClient } from '../cassandra';

/** Play counts of one user per song, summed over the given days. */
export type SongCounts = Map<string, number>;

function toNum(v: unknown): number {
  // counters come back as Long
  return typeof v === 'number' ? v : Number(String(v));
}

/** daily_counts of one (user, day) as song_id → plays (rows with plays ≤ 0 left out). */
export async function readUserDayCounts(db: CassandraClient, userId: string, day: string): Promise<SongCounts> {
  const out: SongCounts = new Map();
  const q = 'SELECT song_id, plays FROM daily_counts WHERE user_id = ? AND day = ?';
  for await (const row of db.stream(q, [userId, day], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<{ song_id: string; plays: unknown }>) {
    const n = toNum(row.plays);
    if (n > 0) out.set(row.song_id, n);
  }
  return out;
}

/** A user's plays per song summed over `days` (YYYY-MM-DD), read in parallel. */
export async function readDailyCounts(db: CassandraClient, userId: string, days: string[]): Promise<SongCounts> {
  const parts = await Promise.all(days.map((d) => readUserDayCounts(db, userId, d)));
  return sumCounts(parts);
}

/** global_daily_counts of one day. */
export async function readGlobalDayCounts(db: CassandraClient, day: string): Promise<SongCounts> {
  const out: SongCounts = new Map();
  const q = 'SELECT song_id, plays FROM global_daily_counts WHERE day = ?';
  for await (const row of db.stream(q, [day], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<{ song_id: string; plays: unknown }>) {
    const n = toNum(row.plays);
    if (n > 0) out.set(row.song_id, n);
  }
  return out;
}

/** Plays per song across all users summed over `days`. */
export async function readGlobalDailyCounts(db: CassandraClient, days: string[]): Promise<SongCounts> {
  return sumCounts(await Promise.all(days.map((d) => readGlobalDayCounts(db, d))));
}

export function sumCounts(parts: SongCounts[]): SongCounts {
  const out: SongCounts = new Map();
  for (const p of parts) for (const [k, v] of p) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

export interface TrackInfo {
  song_id: string;
  title: string | null;
  artist: string | null;
  album: string | null;
}

/** Track metadata for the given song ids (missing ones absent from the map). */
export async function readTracks(db: CassandraClient, songIds: string[]): Promise<Map<string, TrackInfo>> {
  const out = new Map<string, TrackInfo>();
  const rows = await Promise.all(
    songIds.map((id) => db.execute('SELECT song_id, title, artist, album FROM tracks WHERE song_id = ?', [id], { prepare: true })),
  );
  for (const rs of rows) {
    const r = rs.first();
    if (r) out.set(r.song_id as string, { song_id: r.song_id, title: r.title ?? null, artist: r.artist ?? null, album: r.album ?? null });
  }
  return out;
}

/** Days with data for a user (user_days), newest first. */
export async function readUserDays(db: CassandraClient, userId: string): Promise<string[]> {
  const rs = await db.execute('SELECT day FROM user_days WHERE user_id = ?', [userId], { prepare: true });
  return rs.rows.map((r) => String(r.day));
}

/** Top-K of a count map: by plays desc, ties by song_id asc. */
export function topK(counts: SongCounts, k: number): Array<{ song_id: string; listen_count: number }> {
  return [...counts]
    .map(([song_id, listen_count]) => ({ song_id, listen_count }))
    .sort((a, b) => b.listen_count - a.listen_count || (a.song_id < b.song_id ? -1 : a.song_id > b.song_id ? 1 : 0))
    .slice(0, k);
}
