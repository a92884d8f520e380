/**
 * What the Top charts' Friends and Everyone views must show, worked out by the
 * end-to-end test itself from the raw listens in Cassandra (table `listens`,
 * read directly, every partition), never from the API's rankings: count the
 * window's listens per song (or per artist), order by plays descending, ties
 * by key ascending, keep the top k. And the rows the page shows, read from the
 * DOM, in the same shape, so the two compare field by field.
 */
import type { Page } from 'playwright-core';
import type { CassandraClient } from '../../engine/shared/cassandra';

const DAY = 86_400_000;

export interface RawListen {
  user_id: string;
  song_id: string;
  title: string;
  artist: string;
}

/** One row of a ranked list as the page shows it (tracks: sub = artist; artists: sub = "N tracks"). */
export interface ChartRow {
  rank: number;
  key: string;
  title: string;
  sub: string;
  count: number;
}

/** The UTC days (YYYY-MM-DD) of a window of `days` days ending today, as the charts' "N days" windows. */
export function windowDays(days: number, now = Date.now()): string[] {
  const today = Math.floor(now / DAY) * DAY;
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY).toISOString().slice(0, 10));
}

/** Every raw listen of every user on the given days: a scan of the whole table (the e2e keyspace holds a few thousand). */
export async function rawListens(db: CassandraClient, days: string[]): Promise<RawListen[]> {
  const want = new Set(days);
  const out: RawListen[] = [];
  const rs = await db.execute('SELECT user_id, day, song_id, title, artist FROM listens', [], { prepare: true, fetchSize: 2000 });
  for await (const r of rs) {
    if (!want.has(String(r.get('day')))) continue;
    out.push({ user_id: r.get('user_id') as string, song_id: r.get('song_id') as string, title: (r.get('title') as string | null) ?? '', artist: (r.get('artist') as string | null) ?? '' });
  }
  return out;
}

function byCountThenKey(a: { count: number; key: string }, b: { count: number; key: string }): number {
  return b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** The top `k` tracks of the listens of `users` (every user when null), as the tracks list shows them. */
export function expectedTracks(listens: RawListen[], users: ReadonlySet<string> | null, k: number): ChartRow[] {
  const songs = new Map<string, { key: string; count: number; title: string; artist: string }>();
  for (const l of listens) {
    if (users && !users.has(l.user_id)) continue;
    const s = songs.get(l.song_id) ?? { key: l.song_id, count: 0, title: l.title, artist: l.artist };
    if (s.title !== l.title || s.artist !== l.artist) throw new Error(`song ${l.song_id} has two names: ${s.artist} – ${s.title} and ${l.artist} – ${l.title}`);
    s.count++;
    songs.set(l.song_id, s);
  }
  return [...songs.values()]
    .sort(byCountThenKey)
    .slice(0, k)
    .map((s, i) => ({ rank: i + 1, key: s.key, title: s.title || s.key, sub: s.artist || 'Unknown artist', count: s.count }));
}

/** The top `k` artists of every listen, with how many of their tracks were played, as the artists list shows them. */
export function expectedArtists(listens: RawListen[], k: number): ChartRow[] {
  const artists = new Map<string, { key: string; artist: string; count: number; songs: Set<string> }>();
  for (const l of listens) {
    const a = artists.get(l.artist) ?? { key: `a:${l.artist}`, artist: l.artist, count: 0, songs: new Set<string>() };
    a.count++;
    a.songs.add(l.song_id);
    artists.set(l.artist, a);
  }
  return [...artists.values()]
    .sort(byCountThenKey)
    .slice(0, k)
    .map((a, i) => ({ rank: i + 1, key: a.key, title: a.artist || 'Unknown artist', sub: `${a.songs.size} ${a.songs.size === 1 ? 'track' : 'tracks'}`, count: a.count }));
}

/** The rows of the page's ranked list ("Top tracks" or "Top artists"). */
export function shownRows(page: Page, list: 'Top tracks' | 'Top artists'): Promise<ChartRow[]> {
  return page.$$eval(`ol[aria-label="${list}"] > li`, (lis) =>
    lis.map((li) => ({
      rank: Number(li.querySelector('.rank')?.textContent?.trim()),
      key: li.getAttribute('data-key') ?? '',
      title: li.querySelector('.title')?.textContent?.trim() ?? '',
      sub: li.querySelector('.artist')?.textContent?.trim() ?? '',
      count: Number((li.querySelector('.count')?.textContent ?? '').replace(/[^\d]/g, '')),
    })),
  );
}

/** Null when the shown rows are exactly the expected ones, in order; else the first difference. */
export function firstDifference(shown: ChartRow[], want: ChartRow[]): string | null {
  for (let i = 0; i < Math.max(shown.length, want.length); i++) {
    const s = shown[i];
    const w = want[i];
    if (!s || !w || s.rank !== w.rank || s.key !== w.key || s.title !== w.title || s.sub !== w.sub || s.count !== w.count) {
      return `${shown.length} rows shown, ${want.length} expected; row ${i + 1} shown ${JSON.stringify(s ?? null)}, expected ${JSON.stringify(w ?? null)}`;
    }
  }
  return null;
}
