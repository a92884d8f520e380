import type { TopkCache } from './cache';
import { group } from './cache';
import type { DayWindow } from './days';
import type { ApiMetrics } from './metrics';
import type { Store } from '../shared/store/store';
import { rankArtists, rankTracks } from './ranking';

/** Day partitions read in parallel per answer. */
const READ_CONCURRENCY = 8;

export type Scope = { kind: 'user'; userId: string } | { kind: 'global' } | { kind: 'friends'; userId: string };
export type TopKind = 'tracks' | 'artists';

export interface Answer<T> {
  value: T;
  cached: boolean;
}

export interface SeedResult {
  song_id: string;
  listen_count: number;
  rank: number;
  title: string | null;
  artist: string | null;
}

export interface TrackEntry {
  rank: number;
  song_id: string;
  listen_count: number;
  title: string | null;
  artist: string | null;
  album: string | null;
}

export interface ArtistEntry {
  rank: number;
  artist: string;
  listen_count: number;
  track_count: number;
}

export interface TopPage {
  from: string;
  to: string;
  days: number;
  from_ts: number;
  to_ts: number;
  limit: number;
  offset: number;
  total: number;
  last_updated: string;
  results: TrackEntry[] | ArtistEntry[];
}

/** Top-K answers over day windows, through the two-tier cache. */
export class TopkService {
  constructor(
    private readonly store: Pick<Store, 'counts' | 'users' | 'tracks'>,
    private readonly cache: TopkCache,
    private readonly metrics: ApiMetrics,
    private readonly now: () => number,
  ) {}

  /** `compute` through the cache (unless `bypass`), tagged with the groups it depends on. */
  async cached<T>(key: string, groups: string[], bypass: boolean, compute: () => Promise<T>): Promise<Answer<T>> {
    if (bypass) {
      this.metrics.cacheRequests.inc({ tier: 'bypass' });
      return { value: await compute(), cached: false };
    }
    const hit = await this.cache.get<T>(key);
    if (hit) return { value: hit.value, cached: true };
    const snap = this.cache.snapshot(groups);
    const value = await compute();
    await this.cache.set(key, value, groups, snap);
    return { value, cached: false };
  }

  /** Seed route: `k` best tracks of a user over the last `days` days. */
  seed(userId: string, win: DayWindow, k: number, bypass: boolean): Promise<Answer<SeedResult[]>> {
    const key = `seed:${win.from}:${win.to}:${k}:${userId}`;
    return this.cached(key, [group.user(userId)], bypass, async () => {
      const ranked = rankTracks(await this.store.counts.userCounts([userId], win.days, READ_CONCURRENCY)).slice(0, k);
      const meta = await this.tracks(ranked.map((r) => r.song_id));
      return ranked.map((r) => ({ ...r, title: meta.get(r.song_id)?.title ?? null, artist: meta.get(r.song_id)?.artist ?? null }));
    });
  }

  /** One page of the tracks/artists ranking of a scope over a window. */
  async page(scope: Scope, kind: TopKind, win: DayWindow, limit: number, offset: number, bypass: boolean): Promise<Answer<TopPage>> {
    const who = scope.kind === 'global' ? 'global' : `${scope.kind}:${scope.userId}`;
    const key = `top:${kind}:${win.from}:${win.to}:${limit}:${offset}:${who}`;
    const groups =
      scope.kind === 'global' ? [group.global] : scope.kind === 'friends' ? [group.friends, group.user(scope.userId)] : [group.user(scope.userId)];
    return this.cached(key, groups, bypass, async () => {
      const counts = await this.counts(scope, win.days);
      let total: number;
      let results: TrackEntry[] | ArtistEntry[];
      if (kind === 'tracks') {
        const ranked = rankTracks(counts);
        total = ranked.length;
        const pageRows = ranked.slice(offset, offset + limit);
        const meta = await this.tracks(pageRows.map((r) => r.song_id));
        results = pageRows.map((r) => {
          const m = meta.get(r.song_id);
          return { rank: r.rank, song_id: r.song_id, listen_count: r.listen_count, title: m?.title ?? null, artist: m?.artist ?? null, album: m?.album ?? null };
        });
      } else {
        const meta = await this.tracks([...counts.keys()]);
        const ranked = rankArtists(counts, meta);
        total = ranked.length;
        results = ranked.slice(offset, offset + limit).map((a) => ({ rank: a.rank, artist: a.artist, listen_count: a.listen_count, track_count: a.track_count }));
      }
      return {
        from: win.from,
        to: win.to,
        days: win.days.length,
        from_ts: win.fromTs,
        to_ts: win.toTs,
        limit,
        offset,
        total,
        last_updated: new Date(this.now()).toISOString(),
        results,
      };
    });
  }

  private async counts(scope: Scope, days: string[]): Promise<Map<string, number>> {
    const { counts, users } = this.store;
    if (scope.kind === 'global') return counts.globalCounts(days, READ_CONCURRENCY);
    if (scope.kind === 'user') return counts.userCounts([scope.userId], days, READ_CONCURRENCY);
    const friends = await users.followed(scope.userId);
    return friends.length ? counts.userCounts(friends, days, READ_CONCURRENCY) : new Map();
  }

  private tracks(songIds: string[]) {
    return this.store.tracks.get(songIds, READ_CONCURRENCY);
  }
}
