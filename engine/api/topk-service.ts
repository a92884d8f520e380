import { LRUCache } from 'lru-cache';
import type { HitMemo, TopkCache } from './cache';
import { group } from './cache';
import type { DayWindow } from './days';
import type { ApiMetrics } from './metrics';
import type { Store } from '../shared/store/store';
import type { Logger } from '../shared/logger';
import { rankArtists, rankTracks } from './ranking';
import { GLOBAL_SCOPE, userScope } from '../shared/ranked-sets';
import type { RankedArtistPage, RankedLoaders, RankedPage, RankedSets, RankedTarget } from '../shared/ranked-sets';

/** Day partitions read in parallel per answer. */
const READ_CONCURRENCY = 8;

/**
 * How long a viewer's followed list, read from Cassandra, serves friends answers in this process.
 * Follows change at sign-in (the friends sync), not with listens; reading them on every friends
 * answer was the largest cost of a friends miss (a 50-row partition read: ~0.5–0.9 ms of Cassandra
 * CPU, against ~0.2 ms for everything else). Counts stay exact; a follow change shows within this.
 */
export const FOLLOWED_TTL_MS = 2_000;

export type Scope = { kind: 'user'; userId: string } | { kind: 'global' } | { kind: 'friends'; userId: string };
export type TopKind = 'tracks' | 'artists';

export interface Answer<T> {
  value: T;
  cached: boolean;
  /** on a hit: the cache entry's slot for the route's serialised response, and the entry's key */
  memo?: HitMemo;
  key?: string;
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
    private readonly ranked: RankedSets,
    private readonly log?: Logger,
    followedTtlMs = FOLLOWED_TTL_MS,
  ) {
    this.followed = new LRUCache({ max: 10_000, ttl: Math.max(1, followedTtlMs) });
  }

  /** viewer → followed user ids (in flight or read), shared by concurrent answers */
  private readonly followed: LRUCache<string, Promise<string[]>>;

  /** Day sets are built from the exact counters (a user's daily_counts, or the day's global counts) and the tracks' artists. */
  private readonly loaders: RankedLoaders = {
    day: (scope, day) => (scope === GLOBAL_SCOPE ? this.store.counts.globalDayRows(day) : this.store.counts.userDayRows(scope.slice(2), day)),
    artists: async (songIds) => {
      const meta = await this.tracks(songIds);
      return new Map(songIds.map((id) => [id, meta.get(id)?.artist ?? '']));
    },
  };

  /** `compute` through the cache (unless `bypass`), tagged with the groups it depends on. */
  async cached<T>(key: string, groups: string[], bypass: boolean, compute: () => Promise<T>): Promise<Answer<T>> {
    if (bypass) {
      this.metrics.cacheRequests.inc({ tier: 'bypass' });
      return { value: await compute(), cached: false };
    }
    const hit = await this.cache.get<T>(key);
    if (hit) return { value: hit.value, cached: true, memo: hit.memo, key };
    const snap = this.cache.snapshot(groups);
    const value = await compute();
    await this.cache.set(key, value, groups, snap);
    return { value, cached: false };
  }

  /** Seed route: `k` best tracks of a user over the last `days` days. */
  seed(userId: string, win: DayWindow, k: number, bypass: boolean): Promise<Answer<SeedResult[]>> {
    const key = `seed:${win.from}:${win.to}:${k}:${userId}`;
    return this.cached(key, [group.user(userId)], bypass, async () => {
      const { rows } = await this.rankedPage({ scope: userScope(userId) }, win, 0, k);
      const meta = await this.tracks(rows.map((r) => r.song_id));
      return rows.map((r, i) => ({ ...r, rank: i + 1, title: meta.get(r.song_id)?.title ?? null, artist: meta.get(r.song_id)?.artist ?? null }));
    });
  }

  /** One page of the tracks/artists ranking of a scope over a window. */
  async page(scope: Scope, kind: TopKind, win: DayWindow, limit: number, offset: number, bypass: boolean): Promise<Answer<TopPage>> {
    const who = scope.kind === 'global' ? 'global' : `${scope.kind}:${scope.userId}`;
    const key = `top:${kind}:${win.from}:${win.to}:${limit}:${offset}:${who}`;
    const groups =
      scope.kind === 'global' ? [group.global] : scope.kind === 'friends' ? [group.friends, group.user(scope.userId)] : [group.user(scope.userId)];
    return this.cached(key, groups, bypass, async () => {
      const target = await this.target(scope);
      let total: number;
      let results: TrackEntry[] | ArtistEntry[];
      if (kind === 'tracks') {
        const ranked = await this.rankedPage(target, win, offset, limit);
        total = ranked.total;
        const meta = await this.tracks(ranked.rows.map((r) => r.song_id));
        results = ranked.rows.map((r, i) => {
          const m = meta.get(r.song_id);
          return { rank: offset + i + 1, song_id: r.song_id, listen_count: r.listen_count, title: m?.title ?? null, artist: m?.artist ?? null, album: m?.album ?? null };
        });
      } else {
        const ranked = await this.rankedArtists(target, win, offset, limit);
        total = ranked.total;
        results = ranked.rows.map((a, i) => ({ rank: offset + i + 1, artist: a.artist, listen_count: a.listen_count, track_count: a.track_count }));
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

  /** What a scope ranks: a user's own sets, the global sets, or the sum of the followed users' (none: nothing). */
  private async target(scope: Scope): Promise<RankedTarget | null> {
    if (scope.kind === 'global') return { scope: GLOBAL_SCOPE };
    if (scope.kind === 'user') return { scope: userScope(scope.userId) };
    const friends = await this.followedBy(scope.userId);
    return friends.length ? { viewer: scope.userId, scopes: friends.map(userScope) } : null;
  }

  /** The users a viewer follows, read at most once per FOLLOWED_TTL_MS per viewer (concurrent answers share the read). */
  private followedBy(viewer: string): Promise<string[]> {
    let p = this.followed.get(viewer);
    if (!p) {
      p = this.store.users.followed(viewer);
      this.followed.set(viewer, p);
      const mine = p;
      // a failed read is not kept: the next answer reads again
      mine.catch(() => {
        if (this.followed.peek(viewer) === mine) this.followed.delete(viewer);
      });
    }
    return p;
  }

  /** A page of the target's track ranking (the fallback ranks every counter of the window). */
  private async rankedPage(target: RankedTarget | null, win: DayWindow, offset: number, limit: number): Promise<RankedPage> {
    if (!target) return { total: 0, rows: [] };
    return this.fromRankedSets(target, win, (t) => this.ranked.page(t, win, offset, limit, this.loaders), (counts) => {
      const ranked = rankTracks(counts);
      return { total: ranked.length, rows: (limit < 0 ? ranked.slice(offset) : ranked.slice(offset, offset + limit)).map((r) => ({ song_id: r.song_id, listen_count: r.listen_count })) };
    });
  }

  /** The same for the artist ranking: the fallback groups every counter of the window by the tracks' artist. */
  private async rankedArtists(target: RankedTarget | null, win: DayWindow, offset: number, limit: number): Promise<RankedArtistPage> {
    if (!target) return { total: 0, rows: [] };
    return this.fromRankedSets(target, win, (t) => this.ranked.artistPage(t, win, offset, limit, this.loaders), async (counts) => {
      const ranked = rankArtists(counts, await this.tracks([...counts.keys()]));
      return { total: ranked.length, rows: ranked.slice(offset, offset + limit).map((a) => ({ artist: a.artist, listen_count: a.listen_count, track_count: a.track_count })) };
    });
  }

  /**
   * A page from the ranked sets; when Redis cannot serve it (down, or a build kept being raced),
   * `fromCounts` makes it from every counter of the window, as exact and slower.
   */
  private async fromRankedSets<P>(
    target: RankedTarget,
    win: DayWindow,
    fromSets: (target: RankedTarget) => Promise<P>,
    fromCounts: (counts: Map<string, number>) => P | Promise<P>,
  ): Promise<P> {
    try {
      return await fromSets(target);
    } catch (err) {
      this.fellBack(err);
      return await fromCounts(await this.allCounts(target, win));
    }
  }

  private fellBack(err: unknown): void {
    this.metrics.rankedFallbacks.inc();
    this.log?.warn({ err: (err as Error).message }, 'ranked sets unavailable; ranking every counter of the window');
  }

  /** Every counter of the target's window (the fallback's source). */
  private allCounts(target: RankedTarget, win: DayWindow): Promise<Map<string, number>> {
    const { counts } = this.store;
    if ('scope' in target) {
      return target.scope === GLOBAL_SCOPE ? counts.globalCounts(win.days, READ_CONCURRENCY) : counts.userCounts([target.scope.slice(2)], win.days, READ_CONCURRENCY);
    }
    return counts.userCounts(target.scopes.map((s) => s.slice(2)), win.days, READ_CONCURRENCY);
  }

  private tracks(songIds: string[]) {
    return this.store.tracks.get(songIds, READ_CONCURRENCY);
  }
}
