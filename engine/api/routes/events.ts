import type { FastifyInstance } from 'fastify';
import { openSse } from '../../shared/sse';
import type { SseChannel } from '../../shared/sse';
import type { ChangeFeed } from '../change-feed';
import { errors } from '../schemas';

/**
 * `GET /v1/events`: a Server-Sent Events stream of `changed` events
 * (engine/api/change-feed.ts) so clients refresh the answers that changed
 * instead of polling. Bearer auth like every route (the control server's
 * proxy adds it for the UI). Streams end when the server closes.
 */
export function registerEventRoutes(app: FastifyInstance, feed: ChangeFeed, pingMs = 15_000): void {
  const open = new Set<SseChannel>();
  app.addHook('preClose', async () => {
    for (const ch of open) ch.close();
  });
  app.get(
    '/v1/events',
    {
      schema: {
        summary: 'Which answers changed, as they change (Server-Sent Events)',
        description:
          'text/event-stream. Each `changed` event carries `{ seq, users, global, friends, all? }`: the users whose own answers changed and ' +
          'whether the global and friends rankings did; `all: true` means any answer may have changed (many users at once, or events may have ' +
          'been missed). Events are coalesced over ~100 ms. A comment line is sent every 15 s to keep the connection open.',
        tags: ['top-k'],
        produces: ['text/event-stream'],
        response: { 200: { description: 'The event stream: `event: changed` with the JSON above as `data`, until either side closes' }, ...errors() },
        responseBodies: { 'text/event-stream': { type: 'string' } },
      },
    },
    (req, reply) => {
      reply.hijack();
      const ch = openSse(req.raw, reply.raw, pingMs);
      open.add(ch);
      const unfollow = feed.follow((e) => ch.send(e, { event: 'changed', id: e.seq }));
      ch.onClose(() => {
        unfollow();
        open.delete(ch);
      });
    },
  );
}
