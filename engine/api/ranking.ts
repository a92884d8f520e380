import type { TrackMeta } from '../shared/store/tracks';

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
