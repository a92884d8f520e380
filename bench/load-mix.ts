/**
 * The product's read traffic as a list of request paths, for `bench load` and
 * the query load of `bench soak`: a user's Top-K (cache hits, bypassed cache,
 * users with no listens), windows (last N days, from/to), artists, global
 * Top-K, friends, recent listens and /healthz, drawn by weight in a fixed
 * pseudo-random order.
 */
import { hash32, mulberry32 } from '../engine/crawler/sources/simulator-catalogue';
import { lastDays } from '../engine/shared/listen-identity';

export interface Route {
  kind: RouteKind;
  path: string;
}

export type RouteKind =
  | 'user_topk'
  | 'user_topk_bypass'
  | 'user_topk_unknown'
  | 'user_window'
  | 'user_artists'
  | 'global_topk'
  | 'friends_topk'
  | 'recent_listens'
  | 'healthz';

/** Share of each kind in the mix (per cent). */
export const ROUTE_WEIGHTS: Record<RouteKind, number> = {
  user_topk: 25,
  user_topk_bypass: 8,
  user_topk_unknown: 5,
  user_window: 15,
  user_artists: 8,
  global_topk: 12,
  friends_topk: 4,
  recent_listens: 18,
  healthz: 5,
};

/** What each kind requests (for the report). */
export const ROUTE_DESCRIPTIONS: Record<RouteKind, string> = {
  user_topk: 'GET /users/{id}/topk?days=7&k=10',
  user_topk_bypass: 'same, ?cache=bypass (computed from Cassandra)',
  user_topk_unknown: 'same for a user with no listens',
  user_window: 'GET /v1/users/{id}/top/tracks?days=1|3|7 or from/to',
  user_artists: 'GET /v1/users/{id}/top/artists?days=7&limit=25',
  global_topk: 'GET /v1/top/tracks|artists?days=1|7',
  friends_topk: 'GET /v1/users/{id}/friends/top/tracks?days=7',
  recent_listens: 'GET /v1/users/{id}/listens?limit=50',
  healthz: 'GET /healthz',
};

/** `count` request paths over `users` (ids with listens) mixing the kinds by ROUTE_WEIGHTS; `retentionDays` bounds the windows. */
export function routeMix(users: string[], retentionDays: number, count = 10_000, seed = 1, now = Date.now()): Route[] {
  if (users.length === 0) throw new Error('routeMix needs at least one user');
  const r = mulberry32(hash32('bench-load-mix', seed));
  const kinds = Object.keys(ROUTE_WEIGHTS) as RouteKind[];
  const total = kinds.reduce((s, k) => s + ROUTE_WEIGHTS[k], 0);
  const maxDays = Math.max(1, Math.min(7, retentionDays));
  const days = lastDays(maxDays, now); // newest first
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const user = (): string => encodeURIComponent(pick(users));
  const windows = [1, 3, maxDays].filter((d) => d <= maxDays);
  const out: Route[] = [];
  for (let i = 0; i < count; i++) {
    let x = r() * total;
    let kind = kinds[kinds.length - 1]!;
    for (const k of kinds) {
      x -= ROUTE_WEIGHTS[k];
      if (x < 0) {
        kind = k;
        break;
      }
    }
    out.push({ kind, path: pathOf(kind) });
  }
  return out;

  function pathOf(kind: RouteKind): string {
    switch (kind) {
      case 'user_topk':
        return `/users/${user()}/topk?days=${maxDays}&k=10`;
      case 'user_topk_bypass':
        return `/users/${user()}/topk?days=${maxDays}&k=10&cache=bypass`;
      case 'user_topk_unknown':
        return `/users/bench-nobody-${Math.floor(r() * 1_000_000)}/topk?days=${maxDays}&k=10`;
      case 'user_window': {
        if (r() < 0.5) return `/v1/users/${user()}/top/tracks?days=${pick(windows)}&limit=10`;
        // from/to inside the kept days (days[] is newest first)
        const a = Math.floor(r() * days.length);
        const b = Math.floor(r() * days.length);
        return `/v1/users/${user()}/top/tracks?from=${days[Math.max(a, b)]}&to=${days[Math.min(a, b)]}&limit=10`;
      }
      case 'user_artists':
        return `/v1/users/${user()}/top/artists?days=${maxDays}&limit=25`;
      case 'global_topk':
        return `/v1/top/${r() < 0.6 ? 'tracks' : 'artists'}?days=${pick([1, maxDays])}&limit=10`;
      case 'friends_topk':
        return `/v1/users/${user()}/friends/top/tracks?days=${maxDays}&limit=10`;
      case 'recent_listens':
        return `/v1/users/${user()}/listens?limit=50`;
      case 'healthz':
        return '/healthz';
    }
  }
}
