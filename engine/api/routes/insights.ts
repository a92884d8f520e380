import type { FastifyInstance } from 'fastify';
import { group } from '../cache';
import type { ApiContext } from '../context';
import { addDays, dayOf, lastDays, window } from '../days';
import type { DayWindow } from '../days';
import { HttpError } from '../../shared/http-error';
import { firstPlays, heatmapCells, isTimeZone, movementOf } from '../insight-math';
import { cacheQuery, errors, namedObject, optional, timeZoneSchema, userIdSchema, userParams } from '../schemas';
import type { ArtistEntry, Scope, TopKind, TrackEntry } from '../topk-service';
import { artistEntry, trackEntry } from './topk';
import { pageQuerySchema, resolveWindow, wantsBypass, windowAnswerProps, windowQueryObject, windowQuerySchema } from './window';
import type { PageQuery, WindowQuery } from './window';

/** How deep the previous window's ranking is read for movement. */
export const MOVEMENT_DEPTH = 1000;

/** what a movement page adds to each ranked row */
const rowMovement = namedObject('RowMovement', {
  previous_rank: { type: ['integer', 'null'], description: 'rank in the previous window; null when not in it (or below its first 1000 entries)' },
  change: { type: ['string', 'null'], enum: ['up', 'down', 'same', 'new', null], description: 'null when the previous window is beyond retention' },
  delta: { type: ['integer', 'null'], description: 'places gained (positive) or lost; null for new entries and unknown depths' },
});
const movementEntry = { anyOf: [{ allOf: [artistEntry, rowMovement] }, { allOf: [trackEntry, rowMovement] }] } as const;

/** The previous window of the same length, or why retention cannot answer it. */
export function previousWindow(win: DayWindow, retentionDays: number, now: number): { win: DayWindow } | { reason: string } {
  const n = win.days.length;
  const prevFrom = addDays(win.from, -n);
  const oldestKept = addDays(dayOf(now), -(retentionDays - 1));
  if (prevFrom < oldestKept) {
    return { reason: `the ${n} days before ${win.from} start on ${prevFrom}, before the oldest day kept (${oldestKept}, ${retentionDays}-day retention)` };
  }
  return { win: window(prevFrom, addDays(win.from, -1)) };
}

/** /v1 insights: listening activity per day, the hour × weekday heatmap, movement against the previous window, first plays. */
export function registerInsightRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const R = ctx.config.retentionDays;
  const kindParam = { type: 'string', enum: ['tracks', 'artists'] } as const;

  /** A per-user insight route: schema around `props`, window resolved, answer cached under the user's groups. */
  function userRoute<Q extends WindowQuery & { cache?: string }, T extends object>(
    url: string,
    doc: { title: string; summary: string; description: string },
    query: Record<string, unknown>,
    props: Record<string, object>,
    answer: (userId: string, win: DayWindow, q: Q) => { key: string; groups: string[]; compute: () => Promise<T> },
  ): void {
    app.get<{ Params: { user_id: string }; Querystring: Q }>(
      url,
      {
        schema: {
          summary: doc.summary,
          description: doc.description,
          tags: ['insights'],
          params: userParams,
          querystring: { type: 'object', properties: { ...windowQuerySchema(R), ...query, ...cacheQuery } },
          queryObject: windowQueryObject,
          response: {
            200: namedObject(doc.title, { user_id: { type: 'string' }, ...windowAnswerProps, ...props, cached: { type: 'boolean' } }),
            ...errors(400),
          },
        },
      },
      async (req) => {
        const { user_id } = req.params;
        const q = req.query as Q;
        const win = resolveWindow(q, R, ctx.now());
        const a = answer(user_id, win, q);
        const r = await ctx.topk.cached(a.key, a.groups, wantsBypass(req), a.compute);
        return { user_id, from: win.from, to: win.to, days: win.days.length, ...r.value, cached: r.cached };
      },
    );
  }

  userRoute(
    '/v1/users/:user_id/activity',
    {
      title: 'ActivityReport',
      summary: 'Plays per UTC day of a user, the users they follow, and everyone',
      description:
        'From the per-(user, day) and per-day play totals the aggregator keeps next to the song counters (user_day_totals, day_shard_totals): ' +
        'exact, and read without touching song counters or raw listens. Oldest day first; every day of the window is present.',
    },
    {},
    {
      friends: { type: 'integer', description: 'how many users this user follows' },
      series: {
        type: 'array',
        items: {
          type: 'object',
          properties: { day: { type: 'string' }, mine: { type: 'integer' }, friends: { type: 'integer' }, everyone: { type: 'integer' } },
          required: ['day', 'mine', 'friends', 'everyone'],
        },
      },
      totals: { type: 'object', properties: { mine: { type: 'integer' }, friends: { type: 'integer' }, everyone: { type: 'integer' } }, required: ['mine', 'friends', 'everyone'] },
    },
    (userId, win) => ({
      key: `activity:${win.from}:${win.to}:${userId}`,
      groups: [group.user(userId), group.friends, group.global],
      compute: async () => {
        const friends = await ctx.store.users.followed(userId);
        const [mine, everyone, ...perFriend] = await Promise.all([
          ctx.store.playTotals.userDays(userId, win.days),
          ctx.store.playTotals.days(win.days),
          ...friends.map((f) => ctx.store.playTotals.userDays(f, win.days)),
        ]);
        const series = [...win.days].reverse().map((day) => ({
          day,
          mine: mine.get(day) ?? 0,
          friends: perFriend.reduce((s, m) => s + (m.get(day) ?? 0), 0),
          everyone: everyone.get(day) ?? 0,
        }));
        const sum = (k: 'mine' | 'friends' | 'everyone') => series.reduce((s, r) => s + r[k], 0);
        return { friends: friends.length, series, totals: { mine: sum('mine'), friends: sum('friends'), everyone: sum('everyone') } };
      },
    }),
  );

  userRoute<WindowQuery & { tz: string }, object>(
    '/v1/users/:user_id/heatmap',
    {
      title: 'HeatmapReport',
      summary: "A user's listens by weekday and hour of day, in a time zone",
      description:
        'Counts the raw listens of the window (UTC days) of this one user by the weekday and hour their listened_at falls on in `tz`. ' +
        '`cells[w][h]`: w = 0 (Monday) … 6 (Sunday), h = 0 … 23.',
    },
    {
      tz: { ...timeZoneSchema, default: 'UTC', description: `${timeZoneSchema.description}, e.g. Europe/Berlin` },
    },
    {
      tz: { type: 'string' },
      total: { type: 'integer' },
      max: { type: 'integer', description: 'the largest cell' },
      cells: { type: 'array', minItems: 7, maxItems: 7, items: { type: 'array', minItems: 24, maxItems: 24, items: { type: 'integer' } } },
    },
    (userId, win, { tz }) => {
      if (!isTimeZone(tz)) throw new HttpError(400, 'invalid_request', `unknown time zone ${JSON.stringify(tz)} (use an IANA name such as Europe/Berlin)`, 'tz');
      return {
        key: `heatmap:${win.from}:${win.to}:${tz}:${userId}`,
        groups: [group.user(userId)],
        compute: async () => {
          const cells = heatmapCells(await ctx.store.listens.startTimes(userId, win.days), tz);
          const flat = cells.flat();
          return { tz, total: flat.reduce((s, n) => s + n, 0), max: Math.max(...flat), cells };
        },
      };
    },
  );

  userRoute<WindowQuery & { limit: number }, object>(
    '/v1/users/:user_id/discoveries',
    {
      title: 'DiscoveriesReport',
      summary: 'Tracks and artists a user played for the first time within the window',
      description:
        'First within what retention can know: a track counts as new when the user has no play of it on any kept day before the window ' +
        '(`known_from` is the oldest kept day). With a window as long as the retention, every track of the window is new by that measure.',
    },
    { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 25 } },
    {
      known_from: { type: 'string', description: 'oldest UTC day retention keeps: "first" means first since this day' },
      history_days: { type: 'integer', description: 'kept days before the window that were checked' },
      total_tracks: { type: 'integer' },
      total_artists: { type: 'integer' },
      tracks: {
        type: 'array',
        items: {
          type: 'object',
          properties: { song_id: { type: 'string' }, title: { type: ['string', 'null'] }, artist: { type: ['string', 'null'] }, first_day: { type: 'string' }, listen_count: { type: 'integer' } },
          required: ['song_id', 'title', 'artist', 'first_day', 'listen_count'],
        },
      },
      artists: {
        type: 'array',
        items: {
          type: 'object',
          properties: { artist: { type: 'string' }, first_day: { type: 'string' }, listen_count: { type: 'integer' } },
          required: ['artist', 'first_day', 'listen_count'],
        },
      },
    },
    (userId, win, { limit }) => {
      const kept = lastDays(R, ctx.now());
      return {
        key: `discoveries:${win.from}:${win.to}:${limit}:${userId}`,
        groups: [group.user(userId)],
        compute: async () => {
          const days = kept.days.filter((d) => d <= win.to);
          const perDay = await ctx.store.counts.userSongsByDay(userId, days);
          const meta = await ctx.store.tracks.get([...new Set([...perDay.values()].flatMap((m) => [...m.keys()]))], 8);
          const tracks = firstPlays(perDay, win.from, win.to);
          const byArtist = new Map<string, Map<string, number>>();
          for (const [day, counts] of perDay) {
            const m = new Map<string, number>();
            for (const [song, n] of counts) {
              const artist = meta.get(song)?.artist ?? '';
              m.set(artist, (m.get(artist) ?? 0) + n);
            }
            byArtist.set(day, m);
          }
          const artists = firstPlays(byArtist, win.from, win.to);
          return {
            known_from: kept.from,
            history_days: days.filter((d) => d < win.from).length,
            total_tracks: tracks.length,
            total_artists: artists.length,
            tracks: tracks.slice(0, limit).map((t) => ({ song_id: t.key, title: meta.get(t.key)?.title ?? null, artist: meta.get(t.key)?.artist ?? null, first_day: t.first_day, listen_count: t.listen_count })),
            artists: artists.slice(0, limit).map((t) => ({ artist: t.key, first_day: t.first_day, listen_count: t.listen_count })),
          };
        },
      };
    },
  );

  const movementSchema = (title: string, who: Record<string, object>) =>
    namedObject(title, {
      ...who,
      kind: { type: 'string', enum: ['tracks', 'artists'] },
      ...windowAnswerProps,
      limit: { type: 'integer' },
      offset: { type: 'integer' },
      total: { type: 'integer' },
      covered: { type: 'boolean', description: 'whether retention still holds the previous window of the same length' },
      previous: { type: ['object', 'null'], properties: { from: { type: 'string' }, to: { type: 'string' }, total: { type: 'integer' } }, required: ['from', 'to', 'total'] },
      reason: optional({ type: 'string', description: 'why movement is unknown (when not covered)' }),
      results: { type: 'array', items: movementEntry },
      cached: { type: 'boolean' },
    });

  async function movement(scope: Scope, kind: TopKind, q: PageQuery, bypass: boolean) {
    const now = ctx.now();
    const win = resolveWindow(q, R, now);
    const cur = await ctx.topk.page(scope, kind, win, q.limit, q.offset, bypass);
    const prev = previousWindow(win, R, now);
    const keyOf = (r: TrackEntry | ArtistEntry) => ('song_id' in r ? r.song_id : r.artist);
    const base = { kind, from: win.from, to: win.to, days: win.days.length, limit: q.limit, offset: q.offset, total: cur.value.total };
    if ('reason' in prev) {
      const results = (cur.value.results as Array<TrackEntry | ArtistEntry>).map((r) => ({ ...r, previous_rank: null, change: null, delta: null }));
      return { ...base, covered: false, previous: null, reason: prev.reason, results, cached: cur.cached };
    }
    const p = await ctx.topk.page(scope, kind, prev.win, MOVEMENT_DEPTH, 0, bypass);
    const ranks = new Map((p.value.results as Array<TrackEntry | ArtistEntry>).map((r) => [keyOf(r), r.rank]));
    const results = (cur.value.results as Array<TrackEntry | ArtistEntry>).map((r) => ({ ...r, ...movementOf(r.rank, keyOf(r), ranks, p.value.total, MOVEMENT_DEPTH) }));
    return { ...base, covered: true, previous: { from: prev.win.from, to: prev.win.to, total: p.value.total }, results, cached: cur.cached && p.cached };
  }

  const userKind = { type: 'object', properties: { user_id: userIdSchema, kind: kindParam }, required: ['user_id', 'kind'] } as const;
  const routes: Array<{ url: string; summary: string; params: object; who: Record<string, object>; title: string }> = [
    { url: '/v1/users/:user_id/top/:kind/movement', summary: "A user's ranking with movement against the previous window", params: userKind, who: { user_id: { type: 'string' } }, title: 'UserMovementPage' },
    { url: '/v1/users/:user_id/friends/top/:kind/movement', summary: 'The ranking of the users a user follows, with movement', params: userKind, who: { user_id: { type: 'string' } }, title: 'UserMovementPage' },
    {
      url: '/v1/top/:kind/movement',
      summary: 'The global ranking with movement against the previous window',
      params: { type: 'object', properties: { kind: kindParam }, required: ['kind'] },
      who: { accuracy: { type: 'string', enum: ['exact'] } },
      title: 'GlobalMovementPage',
    },
  ];
  for (const r of routes) {
    app.get<{ Params: { user_id?: string; kind: TopKind }; Querystring: PageQuery }>(
      r.url,
      {
        schema: {
          summary: r.summary,
          description:
            "The ranking of the window (as the matching /top route) with each row's change against the previous window of the same length: " +
            'up/down by `delta` places, same, or new. When retention no longer holds the previous window, `covered` is false and `reason` says why.',
          tags: ['insights'],
          params: r.params,
          querystring: pageQuerySchema(R),
          queryObject: windowQueryObject,
          response: { 200: movementSchema(r.title, r.who), ...errors(400) },
        },
      },
      async (req) => {
        const { user_id, kind } = req.params;
        const friends = r.url.includes('/friends/');
        const scope: Scope = user_id === undefined ? { kind: 'global' } : { kind: friends ? 'friends' : 'user', userId: user_id };
        const who = user_id === undefined ? { accuracy: 'exact' } : { user_id };
        return { ...who, ...(await movement(scope, kind, req.query, wantsBypass(req))) };
      },
    );
  }
}
