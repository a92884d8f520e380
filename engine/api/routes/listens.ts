import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { addDays, dayOf } from '../days';
import { errors, namedObject, trackMetadata, userParams } from '../schemas';

const listenSchema = namedObject('Listen', {
  listened_at: { type: 'integer', description: 'ms since epoch' },
  day: { type: 'string' },
  source: { type: 'string' },
  song_id: { type: 'string' },
  ...trackMetadata,
});

/** GET /v1/users/:user_id/listens — recent raw listens, newest first. */
export function registerListenRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { user_id: string }; Querystring: { before?: number; limit: number } }>(
    '/v1/users/:user_id/listens',
    {
      schema: {
        summary: 'Recent raw listens of a user, newest first',
        description:
          'Listens with listened_at strictly before `before` (ms since epoch; default now), at most `limit`. ' +
          'Pass the returned `next_before` to get the next page. Only the retention window is kept.',
        tags: ['listens'],
        params: userParams,
        querystring: {
          type: 'object',
          properties: {
            before: { type: 'integer', minimum: 0, maximum: 8_640_000_000_000_000, description: 'ms since epoch (exclusive)' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
        response: {
          200: namedObject('ListensPage', {
            user_id: { type: 'string' },
            listens: { type: 'array', items: listenSchema },
            next_before: { type: ['integer', 'null'], description: 'listened_at of the last listen returned, or null when there are no more' },
          }),
          ...errors(400),
        },
      },
    },
    async (req) => {
      const { user_id } = req.params;
      const now = ctx.now();
      const before = req.query.before ?? now + 1;
      const limit = req.query.limit;
      const today = dayOf(now);
      // the retention window plus one day of slack (TTL expiry is by listened_at, not by day)
      const days: string[] = [];
      for (let i = -1; i <= ctx.config.retentionDays; i++) days.push(addDays(today, -i));
      const listens = await ctx.store.listens.recent(user_id, days, before, limit, 8);
      return { user_id, listens, next_before: listens.length === limit ? listens[listens.length - 1]!.listened_at : null };
    },
  );
}
