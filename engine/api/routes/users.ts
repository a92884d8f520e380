import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { HttpError } from '../../shared/http-error';
import { errors, namedObject, nullableString, userParams } from '../schemas';
import type { UserRecord } from '../../shared/store/users';

const userSchema = namedObject('User', {
  user_id: { type: 'string' },
  display_name: nullableString,
  github_login: nullableString,
  avatar_url: nullableString,
  created_at: { type: ['string', 'null'], format: 'date-time' },
  updated_at: { type: ['string', 'null'], format: 'date-time' },
});

const anyObjects = { type: 'array', items: { type: 'object', additionalProperties: true } } as const;
const exportJsonSchema = namedObject('UserExport', {
  user_id: { type: 'string' },
  exported_at: { type: 'string', format: 'date-time' },
  user: { type: ['object', 'null'], additionalProperties: true },
  sources: anyObjects,
  listens: anyObjects,
  counts: anyObjects,
});

/** Users: create/update, get, list; GDPR delete and export. */
export function registerUserRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const getUser = (userId: string): Promise<UserRecord | null> => ctx.store.users.get(userId);

  app.put<{ Params: { user_id: string }; Body: { display_name?: string } | null | undefined }>(
    '/v1/users/:user_id',
    {
      schema: {
        summary: 'Create or update a user',
        description: '201 when the user was created, 200 when updated. The body is optional: without one (or with `{}`) a user is created without a display name, or left as it is.',
        tags: ['users'],
        params: userParams,
        body: {
          type: ['object', 'null'],
          properties: { display_name: { type: 'string', minLength: 1, maxLength: 200 } },
          additionalProperties: false,
        },
        response: { 200: userSchema, 201: userSchema, ...errors(400) },
      },
    },
    async (req, reply) => {
      const { user_id } = req.params;
      const existing = await getUser(user_id);
      const now = new Date(ctx.now());
      const displayName = req.body?.display_name;
      if (existing) {
        if (displayName !== undefined) {
          await ctx.store.users.rename(user_id, displayName, now);
        }
      } else {
        await ctx.store.users.create(user_id, displayName ?? null, now);
      }
      const user = await getUser(user_id);
      return reply.code(existing ? 200 : 201).send(user);
    },
  );

  app.get<{ Params: { user_id: string } }>(
    '/v1/users/:user_id',
    {
      schema: { summary: 'A user', tags: ['users'], params: userParams, response: { 200: userSchema, ...errors(400, 404) } },
    },
    async (req) => {
      const user = await getUser(req.params.user_id);
      if (!user) throw new HttpError(404, 'user_not_found', `no user ${req.params.user_id}`, 'user_id');
      return user;
    },
  );

  app.get<{ Querystring: { limit: number } }>(
    '/v1/users',
    {
      schema: {
        summary: 'List users',
        tags: ['users'],
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 } } },
        response: { 200: namedObject('UserList', { users: { type: 'array', items: userSchema } }), ...errors(400) },
      },
    },
    async (req) => {
      const users = await ctx.store.users.list(req.query.limit);
      users.sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0));
      return { users: users.slice(0, req.query.limit) };
    },
  );

  app.delete<{ Params: { user_id: string } }>(
    '/v1/users/:user_id',
    {
      schema: {
        summary: 'Delete every trace of a user (GDPR)',
        description:
          'Removes raw listens, per-user counts (subtracted from the global counts first), the days index, cache entries, sources, ' +
          'credentials, schedule, crawls, follows and the user row, and records the user in deleted_users so events published before ' +
          'the deletion are dropped if Kafka replays them. Done when the 202 arrives.',
        tags: ['users'],
        params: userParams,
        response: {
          202: {
            title: 'DeleteReport',
            type: 'object',
            properties: {
              user_id: { type: 'string' },
              deleted: { type: 'boolean' },
              days: { type: 'integer' },
              listens_deleted: { type: 'integer' },
              counts_deleted: { type: 'integer' },
              follows_deleted: { type: 'integer' },
            },
          },
          ...errors(400),
        },
      },
    },
    async (req, reply) => {
      const report = await ctx.users.deleteUser(req.params.user_id);
      return reply.code(202).send({ ...report, deleted: true });
    },
  );

  app.get<{ Params: { user_id: string } }>(
    '/v1/users/:user_id/export',
    {
      schema: {
        summary: "Export a user's data (GDPR)",
        description:
          'Streams the profile, sources (without credentials), raw listens and daily counts as JSON; with `Accept: text/csv` a CSV of ' +
          'listen and count records instead. ' +
          'A user with nothing kept (e.g. after DELETE) gets the empty export: that is the proof nothing is left.',
        tags: ['users'],
        params: userParams,
        produces: ['application/json', 'text/csv'],
        response: { 200: { description: 'The export, as an attachment' }, ...errors(400) },
        responseBodies: { 'application/json': exportJsonSchema, 'text/csv': { type: 'string' } },
      },
    },
    async (req, reply) => {
      const { user_id } = req.params;
      const accept = req.headers.accept ?? '';
      const csv = /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept.split(',')[0] ?? '');
      const safeName = user_id.replace(/[^A-Za-z0-9._-]/g, '_');
      reply.header('Content-Disposition', `attachment; filename="topk-export-${safeName}.${csv ? 'csv' : 'json'}"`);
      reply.type(csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
      return reply.send(ctx.users.export(user_id, csv ? 'csv' : 'json'));
    },
  );
}
