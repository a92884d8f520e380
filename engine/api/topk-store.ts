import cassandra from 'cassandra-driver';
import { LRUCache } from 'lru-cache';
import type { CassandraClient } from '../shared/cassandra';
import { mapLimit } from '../shared/concurrency';
import { dayOf } from './days';

const { LocalDate } = cassandra.types;

export interface TrackMeta {
  title: string | null;
  artist: string | null;
  album: string | null;
}

export interface RankedTrack {
  song_id: string;
  listen_count: number;
  rank: number;
}

export interface RankedArtist {
  artist: string;
  listen_count: number;
  track_count: number;
  rank: number;
}

export interface ListenRow {
  listened_at: number;
  day: string;
  source: string;
  song_id: string;
  title: string | null;
  artist: string | null;
  album: string | null;
}

/** Order by count descending, ties by key ascending (code-unit order, as the contract's song_id order). */
export function byCountThenKey<T>(count: (t: T) => number, key: (t: T) => string) {
  return (a: T, b: T): number => {
    const d = count(b) - count(a);
    if (d !== 0) return d;
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

/** Ranks song counts; zero and negative counters (left by deletes) are not listens. */
export function rankTracks(counts: Map<string, number>): RankedTrack[] {
  const list = [...counts].filter(([, n]) => n > 0).map(([song_id, listen_count]) => ({ song_id, listen_count, rank: 0 }));
  list.sort(byCountThenKey((t) => t.listen_count, (t) => t.song_id));
  list.forEach((t, i) => (t.rank = i + 1));
  return list;
}

export function rankArtists(counts: Map<string, number>, meta: Map<string, TrackMeta>): RankedArtist[] {
  const byArtist = new Map<string, { listen_count: number; track_count: number }>();
  for (const [song, n] of counts) {
    if (n <= 0) continue;
    const artist = meta.get(song)?.artist ?? '';
    const a = byArtist.get(artist) ?? { listen_count: 0, track_count: 0 };
    a.listen_count += n;
    a.track_count += 1;
    byArtist.set(artist, a);
  }
  const list = [...byArtist].map(([artist, a]) => ({ artist, ...a, rank: 0 }));
  list.sort(byCountThenKey((t) => t.listen_count, (t) => t.artist));
  list.forEach((t, i) => (t.rank = i + 1));
  return list;
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v ?? 0);
}

/**
 * Read-side Cassandra queries of the API. Day partitions are read in
 * parallel (bounded by `concurrency`) and aggregated in memory.
 */
export class TopkStore {
  private readonly trackCache = new LRUCache<string, TrackMeta>({ max: 50_000, ttl: 10 * 60_000 });

  constructor(
    private readonly db: CassandraClient,
    private readonly concurrency = 8,
  ) {}

  /** Every row of a query, paging through large partitions. */
  async rows(query: string, params: unknown[], fetchSize = 5000): Promise<cassandra.types.Row[]> {
    const out: cassandra.types.Row[] = [];
    let pageState: string | undefined;
    do {
      const res = await this.db.execute(query, params, { prepare: true, fetchSize, pageState });
      out.push(...res.rows);
      pageState = res.pageState ?? undefined;
    } while (pageState);
    return out;
  }

  async userCounts(userIds: string[], days: string[]): Promise<Map<string, number>> {
    const slices = userIds.flatMap((u) => days.map((d) => [u, d] as const));
    const parts = await mapLimit(slices, this.concurrency, ([u, d]) =>
      this.rows('SELECT song_id, plays FROM daily_counts WHERE user_id = ? AND day = ?', [u, LocalDate.fromString(d)]),
    );
    return sum(parts);
  }

  async globalCounts(days: string[]): Promise<Map<string, number>> {
    const parts = await mapLimit(days, this.concurrency, (d) =>
      this.rows('SELECT song_id, plays FROM global_daily_counts WHERE day = ?', [LocalDate.fromString(d)]),
    );
    return sum(parts);
  }

  async followed(userId: string): Promise<string[]> {
    const rows = await this.rows('SELECT followed_id FROM user_follows WHERE user_id = ?', [userId]);
    return rows.map((r) => String(r.get('followed_id')));
  }

  async tracks(songIds: string[]): Promise<Map<string, TrackMeta>> {
    const out = new Map<string, TrackMeta>();
    const missing: string[] = [];
    for (const id of songIds) {
      const m = this.trackCache.get(id);
      if (m) out.set(id, m);
      else missing.push(id);
    }
    const chunks: string[][] = [];
    for (let i = 0; i < missing.length; i += 50) chunks.push(missing.slice(i, i + 50));
    await mapLimit(chunks, this.concurrency, async (chunk) => {
      const res = await this.db.execute('SELECT song_id, title, artist, album FROM tracks WHERE song_id IN ?', [chunk], {
        prepare: true,
      });
      for (const r of res.rows) {
        const m: TrackMeta = { title: r.get('title') ?? null, artist: r.get('artist') ?? null, album: r.get('album') ?? null };
        out.set(String(r.get('song_id')), m);
        this.trackCache.set(String(r.get('song_id')), m);
      }
    });
    return out;
  }

  /** Raw listens strictly before `before` (ms), newest first, at most `limit`, from the given days (read in parallel). */
  async listens(userId: string, days: string[], before: number, limit: number): Promise<ListenRow[]> {
    const beforeDay = dayOf(before);
    const wanted = days.filter((d) => d <= beforeDay);
    const parts = await mapLimit(wanted, this.concurrency, async (d) => {
      const res = await this.db.execute(
        'SELECT listened_at, source, song_id, title, artist, album FROM listens WHERE user_id = ? AND day = ? AND listened_at < ? LIMIT ?',
        [userId, LocalDate.fromString(d), new Date(before), limit],
        { prepare: true },
      );
      return res.rows.map(
        (r): ListenRow => ({
          listened_at: (r.get('listened_at') as Date).getTime(),
          day: d,
          source: String(r.get('source')),
          song_id: String(r.get('song_id')),
          title: r.get('title') ?? null,
          artist: r.get('artist') ?? null,
          album: r.get('album') ?? null,
        }),
      );
    });
    const all = parts.flat();
    all.sort(
      (a, b) => b.listened_at - a.listened_at || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) || (a.song_id < b.song_id ? -1 : a.song_id > b.song_id ? 1 : 0),
    );
    return all.slice(0, limit);
  }

  /** Days the user has data for (from user_days), newest first. */
  async userDays(userId: string): Promise<string[]> {
    const rows = await this.rows('SELECT day FROM user_days WHERE user_id = ?', [userId]);
    return rows.map((r) => String(r.get('day')));
  }
}

function sum(parts: cassandra.types.Row[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const rows of parts) {
    for (const r of rows) {
      const song = String(r.get('song_id'));
      counts.set(song, (counts.get(song) ?? 0) + num(r.get('plays')));
    }
  }
  return counts;
}
