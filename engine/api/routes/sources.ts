import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiContext } from '../context';
import type { CrawlServicePort } from '../crawl-port';
import { HttpError } from '../../shared/http-error';
import { errors, namedObject, nullableString, optional, sourceSchema, timeZoneSchema, userIdSchema, userParams } from '../schemas';

const scheduleSchema = namedObject('ScheduleRecord', {
  user_id: { type: 'string' },
  source: { type: 'string' },
  interval_seconds: { type: 'integer' },
  paused: { type: 'boolean' },
  next_run_at: nullableString,
  state: { type: 'string' },
  last_run_at: optional({ type: 'string' }),
  last_crawl_id: optional({ type: 'string' }),
  last_error: optional({ type: 'string' }),
});
const sourceRecordSchema = namedObject('SourceRecord', {
  user_id: { type: 'string' },
  source: { type: 'string' },
  config: { type: 'object', additionalProperties: true },
  created_at: { type: 'string' },
  schedule: scheduleSchema,
});
const crawlSchema = namedObject('CrawlRecord', {
  crawl_id: { type: 'string' },
  user_id: { type: 'string' },
  source: { type: 'string' },
  trigger: { type: 'string', enum: ['manual', 'schedule', 'retry', 'import'] },
  state: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
  listens_fetched: { type: 'integer' },
  listens_published: { type: 'integer' },
  pages: { type: 'integer' },
  lookback_pages: optional({ type: 'integer', description: 'pages read only to re-read the look-back window below the cursor (late listens)' }),
  bytes_read: optional({ type: 'integer', description: 'import: bytes of the file read so far' }),
  bytes_total: optional({ type: 'integer', description: 'import: size of the file, when known' }),
  error: optional({ type: 'string' }),
  created_at: { type: 'string' },
  started_at: optional({ type: 'string' }),
  finished_at: optional({ type: 'string' }),
});
const importReportSchema = namedObject('ImportReport', {
  crawl_id: { type: 'string' },
  format: { type: 'string' },
  lines_read: { type: 'integer' },
  listens_accepted: { type: 'integer' },
  skipped: { type: 'integer' },
  skipped_reasons: { type: 'object', additionalProperties: { type: 'integer' } },
  state: { type: 'string' },
  error: optional({ type: 'string' }),
  files: optional({ type: 'array', items: { type: 'string' }, description: 'zip entries read as history' }),
});

const userSourceParams = {
  type: 'object',
  properties: { user_id: userIdSchema, source: sourceSchema },
  required: ['user_id', 'source'],
} as const;

/** Largest import upload (streamed; counted as it passes). */
export const IMPORT_LIMIT_BYTES = 512 * 1024 * 1024;
const IMPORT_TYPES = ['application/json', 'application/x-ndjson', 'application/jsonl', 'application/octet-stream', 'text/plain', 'text/csv', 'application/zip', 'application/x-zip-compressed'];

type UserSourceReq = { Params: { user_id: string; source: string } };

/** Sources, schedules, crawls and imports; all go through the crawl service. */
export function registerSourceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // connecting and crawling need a source the crawler knows (400 unknown_source otherwise); the rest take any name (404 when not connected)
  const knownSource = { type: 'string', enum: ctx.sources.map((x) => x.id), description: 'a source the crawler supports' } as const;
  const knownSourceParams = { ...userSourceParams, properties: { ...userSourceParams.properties, source: knownSource } } as const;
  const crawl = (): CrawlServicePort => {
    if (!ctx.crawl) throw new HttpError(503, 'crawl_service_unavailable', 'the crawl service is not available in this process');
    return ctx.crawl;
  };
  const ensureUser = async (userId: string): Promise<void> => {
    await ctx.store.users.ensure(userId, new Date(ctx.now()));
  };

  const connect = async (userId: string, source: string, body: unknown, reply: FastifyReply) => {
    const svc = crawl();
    await ensureUser(userId);
    const { created, source: rec } = await svc.connectSource(userId, source, body ?? {});
    return reply.code(created ? 201 : 200).send(rec);
  };

  // one route per source, so that its connect body has its own schema (static segments win over :source)
  for (const { id, configSchema } of ctx.sources) {
    app.put<{ Params: { user_id: string }; Body: Record<string, unknown> | null }>(
      `/v1/users/:user_id/sources/${id}`,
      {
        schema: {
          summary: `Connect ${id} (or update its settings)`,
          description: '201 when connected now, 200 when it was already connected. Creates the user when missing.',
          tags: ['sources'],
          params: userParams,
          body: configSchema,
          response: { 200: sourceRecordSchema, 201: sourceRecordSchema, ...errors(400, 503) },
        },
      },
      async (req, reply) => connect(req.params.user_id, id, req.body, reply),
    );
  }

  // any other name: no such source to connect
  app.put<UserSourceReq>(
    '/v1/users/:user_id/sources/:source',
    { schema: { hide: true, params: userSourceParams } },
    async (req) => {
      throw new HttpError(404, 'unknown_source', `unknown source "${req.params.source}"; known: ${ctx.sources.map((x) => x.id).join(', ')}`, 'source');
    },
  );

  app.get<{ Params: { user_id: string } }>(
    '/v1/users/:user_id/sources',
    {
      schema: {
        summary: "A user's sources with their schedules",
        tags: ['sources'],
        params: userParams,
        response: { 200: namedObject('SourceList', { sources: { type: 'array', items: sourceRecordSchema } }), ...errors(400, 503) },
      },
    },
    async (req) => ({ sources: await crawl().listSources(req.params.user_id) }),
  );

  const disconnect = async (userId: string, source: string, reply: FastifyReply) => {
    const removed = await crawl().removeSource(userId, source);
    if (!removed) throw new HttpError(404, 'source_not_found', `source ${source} is not connected`, 'source');
    return reply.code(204).send();
  };
  // documented per source, beside its PUT (one path item per source); any other name is still accepted (404 when not connected)
  for (const { id } of ctx.sources) {
    app.delete<{ Params: { user_id: string } }>(
      `/v1/users/:user_id/sources/${id}`,
      {
        schema: {
          summary: `Disconnect ${id} (its schedule and credentials go too)`,
          tags: ['sources'],
          params: userParams,
          response: { 204: { description: 'Removed', type: 'null' }, ...errors(400, 404, 503) },
        },
      },
      async (req, reply) => disconnect(req.params.user_id, id, reply),
    );
  }
  app.delete<UserSourceReq>('/v1/users/:user_id/sources/:source', { schema: { hide: true, params: userSourceParams } }, async (req, reply) =>
    disconnect(req.params.user_id, req.params.source, reply),
  );

  app.patch<UserSourceReq & { Body: { interval_seconds?: number; paused?: boolean } }>(
    '/v1/users/:user_id/sources/:source/schedule',
    {
      schema: {
        summary: 'Change the crawl schedule of a source (interval, pause/resume)',
        tags: ['sources'],
        params: userSourceParams,
        body: {
          type: 'object',
          properties: {
            interval_seconds: { type: 'integer', minimum: 60, maximum: 7 * 86_400 },
            paused: { type: 'boolean' },
          },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: scheduleSchema, ...errors(400, 404, 503) },
      },
    },
    async (req) => {
      const s = await crawl().setSchedule(req.params.user_id, req.params.source, req.body);
      if (!s) throw new HttpError(404, 'source_not_found', `source ${req.params.source} is not connected`, 'source');
      return s;
    },
  );

  const crawlNow = async (userId: string, source: string, reply: FastifyReply) => {
    const rec = await crawl().requestCrawl(userId, source, 'manual');
    return reply.code(202).send(rec);
  };

  app.post<{ Params: { user_id: string }; Body: { source: string } }>(
    '/v1/users/:user_id/crawls',
    {
      schema: {
        summary: 'Crawl a source now',
        tags: ['crawls'],
        params: userParams,
        body: { type: 'object', properties: { source: knownSource }, required: ['source'], additionalProperties: false },
        response: { 202: crawlSchema, ...errors(400, 404, 503) },
      },
    },
    async (req, reply) => crawlNow(req.params.user_id, req.body.source, reply),
  );

  app.post<UserSourceReq>(
    '/v1/users/:user_id/sources/:source/crawls',
    {
      schema: {
        summary: 'Run the schedule of a source now',
        tags: ['crawls'],
        params: knownSourceParams,
        response: { 202: crawlSchema, ...errors(400, 404, 503) },
      },
    },
    async (req, reply) => crawlNow(req.params.user_id, req.params.source, reply),
  );

  app.get<{ Params: { user_id: string }; Querystring: { source?: string; limit: number } }>(
    '/v1/users/:user_id/crawls',
    {
      schema: {
        summary: 'Crawl history of a user, newest first',
        tags: ['crawls'],
        params: userParams,
        querystring: {
          type: 'object',
          properties: { source: sourceSchema, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        },
        response: { 200: namedObject('CrawlList', { crawls: { type: 'array', items: crawlSchema } }), ...errors(400, 503) },
      },
    },
    async (req) => ({ crawls: await crawl().listCrawls(req.params.user_id, req.query.source, req.query.limit) }),
  );

  app.get<{ Params: { crawl_id: string } }>(
    '/v1/crawls/:crawl_id',
    {
      schema: {
        summary: 'One crawl: state, counts, error',
        tags: ['crawls'],
        params: { type: 'object', properties: { crawl_id: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' } }, required: ['crawl_id'] },
        response: { 200: crawlSchema, ...errors(400, 404, 503) },
      },
    },
    async (req) => {
      const rec = await crawl().getCrawl(req.params.crawl_id);
      if (!rec) throw new HttpError(404, 'crawl_not_found', `no crawl ${req.params.crawl_id}`, 'crawl_id');
      return rec;
    },
  );

  // imports: the body is streamed to the crawl service, never buffered (own plugin scope for the raw parser)
  void app.register(async (imports) => {
    imports.removeAllContentTypeParsers();
    imports.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    registerImportRoute(imports, crawl, ensureUser);
  });
}

function registerImportRoute(app: FastifyInstance, crawl: () => CrawlServicePort, ensureUser: (userId: string) => Promise<void>): void {
  app.post<{ Params: { user_id: string }; Querystring: { filename?: string; timezone?: string } }>(
    '/v1/users/:user_id/imports',
    {
      bodyLimit: IMPORT_LIMIT_BYTES,
      schema: {
        summary: 'Import a listening-history file (streamed)',
        description:
          'Send the file itself as the request body: the Spotify data zip or its history JSON files, the ListenBrainz export zip or ' +
          'its JSON / JSON lines, the Last.fm CSV or JSON export, a .scrobbler.log, or a Maloja export (docs/IMPORT-FORMATS.md). The ' +
          `format is detected from the content; a file in none of them is refused (400 unsupported_format). At most ${IMPORT_LIMIT_BYTES / 1024 / 1024} MiB. ` +
          'The listens are published to Kafka like crawled ones; the report counts accepted entries and skipped ones per reason. While it ' +
          'runs, the import is a crawl of source `import` whose bytes_read / bytes_total show its progress. `timezone` (IANA) is the ' +
          'time zone of a .scrobbler.log marked #TZ/UNKNOWN (default: the server computer\'s).',
        tags: ['crawls'],
        params: userParams,
        querystring: { type: 'object', properties: { filename: { type: 'string', maxLength: 255 }, timezone: timeZoneSchema } },
        consumes: IMPORT_TYPES,
        response: { 200: importReportSchema, ...errors(400, 413, 503) },
      },
    },
    async (req) => {
      const svc = crawl();
      const body = req.body as NodeJS.ReadableStream | undefined;
      if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') {
        throw new HttpError(400, 'invalid_request', 'send the file as the request body', 'body');
      }
      await ensureUser(req.params.user_id);
      let seen = 0;
      const limited = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          seen += chunk.length;
          if (seen > IMPORT_LIMIT_BYTES) cb(new HttpError(413, 'body_too_large', 'import file is too large', 'body'));
          else cb(null, chunk);
        },
      });
      body.on('error', (err: Error) => limited.destroy(err));
      body.pipe(limited);
      const length = Number(req.headers['content-length']);
      return svc.importFile(req.params.user_id, limited, {
        filename: req.query.filename,
        timeZone: req.query.timezone,
        ...(Number.isSafeInteger(length) && length > 0 ? { size: length } : {}),
      });
    },
  );
}
