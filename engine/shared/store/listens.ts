import type { CassandraClient } from '../cassandra';

export interface RawListen {
  user_id: string;
  day: string;
  listened_at: number;
  source: string;
  song_id: string;
  title: string | null;
  artist: string | null;
  album: string | null;
}

/** Raw listens of one (user, day) partition, newest first. */
export async function readListens(db: CassandraClient, userId: string, day: string): Promise<RawListen[]> {
  const out: RawListen[] = [];
  const q = 'SELECT listened_at, source, song_id, title, artist, album FROM listens WHERE user_id = ? AND day = ?';
  for await (const r of db.stream(q, [userId, day], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<Record<string, unknown>>) {
    out.push({
      user_id: userId,
      day,
      listened_at: (r.listened_at as Date).getTime(),
      source: r.source as string,
      song_id: r.song_id as string,
      title: (r.title as string | null) ?? null,
      artist: (r.artist as string | null) ?? null,
      album: (r.album as string | null) ?? null,
    });
  }
  return out;
}

/** Play counts per song computed from the raw listens of one (user, day). */
export async function countRawListens(db: CassandraClient, userId: string, day: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const q = 'SELECT song_id FROM listens WHERE user_id = ? AND day = ?';
  for await (const r of db.stream(q, [userId, day], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<{ song_id: string }>) {
    out.set(r.song_id, (out.get(r.song_id) ?? 0) + 1);
  }
  return out;
}
