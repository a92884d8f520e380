import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context';
import { lastDays } from '../days';
import { cacheQuery, errors, namedObject, trackMetadata, userIdSchema, userParams } from '../schemas';
import type { HitLane } from '../hit-lane';
import type { Answer, Scope, TopKind } from '../topk-service';
import { pageQuerySchema, resolveWindow, wantsBypass, windowAnswerProps, windowQueryObject } from './window';
import type { PageQuery } from './window';

/** a ranked track and a ranked artist, as the Top-K pages (and the movement pages) carry them */
export const trackEntry = namedObject('TrackRow', {
  rank: { type: 'integer' },
  song_id: { type: 'string' },
  listen_count: { type: 'integer' },
  ...trackMetadata,
});
export const artistEntry = namedObject('ArtistRow', {
  rank: { type: 'integer' },
  artist: { type: 'string', description: 'artist name ("" when the tracks have no artist metadata)' },
  listen_count: { type: 'integer' },
  track_count: { type: 'integer', description: 'distinct tracks of the artist in the window' },
});

/** The seed route's row: the TrackRow fields the seed contract names, in its order; no title (the seed answer names no component). */
function seedRow() {
  const { song_id, listen_count, rank, title, artist } = trackEntry.properties;
  return { type: 'object', properties: { song_id, listen_count, rank, title, artist } } as const;
}

function pageSchema(title: string, who: Record<string, unknown>) {
  return {
    title,
    type: 'object',
    properties: {
      ...who,
      kind: { type: 'string', enum: ['tracks', 'artists'] },
      ...windowAnswerProps,
      from_ts: { type: 'integer', description: 'window start, ms since epoch (inclusive)' },
      to_ts: { type: 'integer', description: 'window end, ms since epoch (exclusive: 00:00 UTC after `to`)' },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
      total: { type: 'integer', description: 'number of ranked entries in the window' },
      last_updated: { type: 'string', format: 'date-time', description: 'when these counts were read from Cassandra (answers are invalidated when new listens are counted)' },
      cached: { type: 'boolean' },
      results: { type: 'array', items: { anyOf: [artistEntry, trackEntry] } },
    },
    required: ['kind', 'from', 'to', 'days', 'from_ts', 'to_ts', 'limit', 'offset', 'total', 'last_updated', 'cached', 'results', ...Object.keys(who)],
  } as const;
}

/**
 * The reply of a Top-K route, with its X-Cache header. On a cache hit the answer is sent as the bytes
 * kept on the cache entry: serialised on the entry's first hit with this route's own response
 * serializer (so the same bytes and Content-Type Fastify sends for the object), not rebuilt and
 * serialised again on every hit. The body depends only on the cache key (the key names the user or
 * scope, the window, the page), so every request that hits the entry gets the same answer; the hit
 * lane then answers the same URL with those bytes before Fastify (engine/api/hit-lane.ts).
 */
function topkReply(
  lane: HitLane | undefined,
  req: FastifyRequest,
  reply: FastifyReply,
  answer: Answer<unknown>,
  body: () => Record<string, unknown>,
): FastifyReply | Record<string, unknown> {
  reply.header('X-Cache', answer.cached ? 'HIT' : 'MISS');
  if (!answer.memo || answer.key === undefined) return body();
  answer.memo.body ??= reply.serialize(body()) as string;
  lane?.remember(req.url, req.routeOptions.url ?? req.url, answer.key);
  return reply.type('application/json; charset=utf-8').send(answer.memo.body);
}

/** Top-K routes: the seed route and the v1 user/global/friends rankings. */
export function registerTopkRoutes(app: FastifyInstance, ctx: ApiContext, lane?: HitLane): void {
  const R = ctx.config.retentionDays;
  const kindParam = { type: 'string', enum: ['tracks', 'artists'] } as const;
  const pageQuery = pageQuerySchema(R);

  app.get<{ Params: { user_id: string }; Querystring: { days: number; k: number; cache?: string } }>(
    '/users/:user_id/topk',
    {
      schema: {
        summary: 'Top-K tracks of a user (seed-compatible)',
        description:
          'Today (UTC) and the days-1 UTC days before it; ordered by listen_count descending, ties by song_id ascending. ' +
          'X-Cache: HIT when answered from the cache. A user with no listens gets results [].',
        tags: ['top-k'],
        params: userParams,
        querystring: {
          type: 'object',
          properties: {
            days: { type: 'integer', minimum: 1, maximum: R, default: Math.min(7, R) },
            k: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
            ...cacheQuery,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              user_id: { type: 'string' },
              days: { type: 'integer' },
              k: { type: 'integer' },
              results: { type: 'array', items: seedRow() },
              cached: { type: 'boolean' },
            },
          },
          ...errors(400),
        },
      },
    },
    async (req, reply) => {
      const { user_id } = req.params;
      const { days, k } = req.query;
      const answer = await ctx.topk.seed(user_id, lastDays(days, ctx.now()), k, wantsBypass(req));
      return topkReply(lane, req, reply, answer, () => ({ user_id, days, k, results: answer.value, cached: answer.cached }));
    },
  );

  /** One v1 ranking route: the scopes differ only in their path, their words and the fields naming the scope. */
  const topRoute = <P extends { kind: TopKind }>(r: {
    url: string;
    summary: string;
    description: string;
    params: Record<string, unknown>;
    /** what the answer says about its scope, and its schema (named `title` in the OpenAPI document) */
    title: string;
    who: (params: P) => Record<string, unknown>;
    whoSchema: Record<string, unknown>;
    scope: (params: P) => Scope;
  }): void => {
    app.get<{ Querystring: PageQuery }>(
      r.url,
      {
        schema: {
          summary: r.summary,
          description: r.description,
          tags: ['top-k'],
          params: { type: 'object', properties: { ...r.params, kind: kindParam }, required: [...Object.keys(r.params), 'kind'] },
          querystring: pageQuery,
          queryObject: windowQueryObject,
          response: { 200: pageSchema(r.title, r.whoSchema), ...errors(400) },
        },
      },
      async (req, reply) => {
        // the params schema above validated them
        const params = req.params as P;
        const win = resolveWindow(req.query, R, ctx.now());
        const a = await ctx.topk.page(r.scope(params), params.kind, win, req.query.limit, req.query.offset, wantsBypass(req));
        return topkReply(lane, req, reply, a, () => ({ ...r.who(params), kind: params.kind, ...a.value, cached: a.cached }));
      },
    );
  };

  /** the user and friends routes: scoped by the user in the path */
  const byUser = {
    params: { user_id: userIdSchema },
    who: (p: { user_id: string }) => ({ user_id: p.user_id }),
    whoSchema: { user_id: { type: 'string' } },
    title: 'UserTopPage',
  };

  topRoute<{ user_id: string; kind: TopKind }>({
    ...byUser,
    url: '/v1/users/:user_id/top/:kind',
    summary: "A user's top tracks or artists over a window",
    description: 'Window: `days` (last N UTC days) or `from`/`to`. Paged with limit/offset; `total` counts all ranked entries.',
    scope: (p) => ({ kind: 'user', userId: p.user_id }),
  });

  topRoute<{ kind: TopKind }>({
    url: '/v1/top/:kind',
    summary: 'Global top tracks or artists across all users',
    description:
      'Exact: ranked from the per-day global counters (sharded by Kafka partition, served through Redis ranked sets), which the aggregator updates with the same ' +
      'exactly-once bookkeeping as the per-user counts; no sketch, so counts are exact (users deleted through GDPR are subtracted).',
    params: {},
    who: () => ({ accuracy: 'exact' }),
    whoSchema: { accuracy: { type: 'string', enum: ['exact'] } },
    title: 'GlobalTopPage',
    scope: () => ({ kind: 'global' }),
  });

  topRoute<{ user_id: string; kind: TopKind }>({
    ...byUser,
    url: '/v1/users/:user_id/friends/top/:kind',
    summary: 'Top tracks or artists across the users this user follows',
    description: 'Summed over the followed users (user_follows, filled by GitHub sign-in); the user themself is not included.',
    scope: (p) => ({ kind: 'friends', userId: p.user_id }),
  });
}
