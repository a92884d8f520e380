import { createServer } from 'node:http';
import type { ServerOptions } from 'node:http';
import { Ajv } from 'ajv';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, errorBody } from '../shared/http-error';
import type { ChangeFeed } from './change-feed';
import type { ApiContext } from './context';
import { fieldOfValidationError, messageOfValidationError } from './errors';
import { HitLane } from './hit-lane';
import type { OpenApiCollector } from './openapi';
import { registerEventRoutes } from './routes/events';
import { registerInsightRoutes } from './routes/insights';
import { registerListenRoutes } from './routes/listens';
import { registerOpsRoutes } from './routes/ops';
import { registerSourceRoutes } from './routes/sources';
import { registerTopkRoutes } from './routes/topk';
import { registerUserRoutes } from './routes/users';
import { controlOrigins, makeHostCheck, makeTokenCheck } from './security';

/** Errors of the Cassandra driver and kafkajs that mean "the service is not reachable now". */
const UNAVAILABLE = new Set(['NoHostAvailableError', 'OperationTimedOutError', 'KafkaJSConnectionError']);

/** A path the API serves with another method → 405 with Allow; else 404. */
function notFoundHandler(openapi: OpenApiCollector) {
  return (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '/';
    const allow = openapi.methodsOf(path);
    if (allow.length > 0) {
      return reply.code(405).header('Allow', allow.join(', ')).send(errorBody('method_not_allowed', `${req.method} is not allowed on ${path}; allowed: ${allow.join(', ')}`));
    }
    return reply.code(404).send(errorBody('not_found', `no route ${req.method} ${path}`));
  };
}

/**
 * The engine API's Fastify app with validation, auth, host guard, CORS, the
 * error shape, metrics and every route (`/v1/events` follows `opts.changes`),
 * ready to listen. Does no I/O itself:
 * the OpenAPI document (and so the generated wire types) can be built from it
 * without a running stack.
 */
export async function createApiApp(ctx: ApiContext, opts: { changes: ChangeFeed; bodyLimit?: number }): Promise<FastifyInstance> {
  const { config, log, metrics, openapi } = ctx;
  const notFound = notFoundHandler(openapi);
  const hostAllowed = makeHostCheck(config.allowedHosts);
  const tokenOk = makeTokenCheck(config.apiToken);
  const lane = new HitLane({ cache: ctx.cache, metrics, log, hostAllowed, tokenOk, now: ctx.now });
  const app = Fastify({
    // Fastify's own HTTP server (same timeouts as it sets on the server it makes), with the hit lane in front
    serverFactory: (handler, opts) => {
      const o = opts as { http?: ServerOptions; keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };
      const server = createServer(o.http ?? {}, (req, res) => {
        if (!lane.serve(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = o.keepAliveTimeout ?? 72_000;
      server.requestTimeout = o.requestTimeout ?? 0;
      server.setTimeout(o.connectionTimeout ?? 0);
      return server;
    },
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    return503OnClosing: true,
    // router-level rejections (undecodable URL, a path parameter over 100 chars) are invalid input like any
    // other: 400 with the JSON error shape (Fastify's own 414 for a long parameter is not a status the
    // document lists, and clients treat 400 as "fix the request")
    frameworkErrors: (err, _req, reply) => {
      const r = reply as unknown as { code(c: number): { send(b: unknown): unknown } };
      void r.code(400).send(errorBody(err.statusCode === 414 ? 'path_too_long' : 'bad_url', err.message, 'path'));
    },
  });
  // query strings, params and headers are strings on the wire: coerce them; JSON bodies keep their types (5 is not "5")
  // `format` is documentation here (dates are checked by the handlers, which name the field)
  const ajvOpts = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false, formats: { date: true, 'date-time': true } } as const;
  const ajvCoercing = new Ajv({ ...ajvOpts, coerceTypes: 'array' });
  const ajvBody = new Ajv({ ...ajvOpts, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? ajvBody : ajvCoercing).compile(schema));
  openapi.attach(app);

  const origins = controlOrigins(config.port);
  app.addHook('preClose', (done) => {
    lane.close();
    done();
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!hostAllowed(req.headers.host)) {
      return reply.code(403).send(errorBody('forbidden_host', 'Host header is not an allowed name for this API'));
    }
    const origin = req.headers.origin;
    const corsOk = typeof origin === 'string' && origins.has(origin);
    if (corsOk) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Vary', 'Origin');
      reply.header('Access-Control-Expose-Headers', 'X-Cache, Content-Disposition');
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (!corsOk) return reply.code(403).send(errorBody('forbidden_origin', 'Origin not allowed'));
      reply.header('Access-Control-Allow-Methods', 'GET, PUT, POST, PATCH, DELETE');
      reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, Cache-Control');
      reply.header('Access-Control-Max-Age', '600');
      return reply.code(204).send();
    }
    const isPublic = (req.routeOptions.config as { public?: boolean } | undefined)?.public === true;
    if (!isPublic && !tokenOk(req.headers.authorization)) {
      reply.header('WWW-Authenticate', 'Bearer');
      return reply.code(401).send(errorBody('unauthorized', 'missing or invalid bearer token'));
    }
    // answered before any body parsing: a method Fastify would try to read a body for (QUERY) gets its 405 too
    if (req.is404) return notFound(req, reply);
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ route, method: req.method, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    req.log.debug({ method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation && err.validation.length > 0) {
      const first = err.validation[0]!;
      const field = fieldOfValidationError(first, err.validationContext);
      return reply.code(400).send(errorBody('invalid_request', messageOfValidationError(first, field), field));
    }
    if (err instanceof HttpError) return reply.code(err.status).send(err.body());
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send(errorBody('body_too_large', 'request body is too large', 'body'));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send(errorBody('unsupported_media_type', err.message, 'body'));
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      return reply.code(400).send(errorBody('invalid_json', 'request body is not valid JSON', 'body'));
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody('bad_request', err.message, err.statusCode === 400 ? 'request' : undefined));
    }
    // the driver's error classes are not exported in a form instanceof can use across its bundles: their names are the API
    if (UNAVAILABLE.has((err as Error).name)) {
      req.log.warn({ err: err.message, route: req.routeOptions.url }, 'backing service unavailable');
      return reply.code(503).send(errorBody('unavailable', 'a backing service is unavailable; see /readyz'));
    }
    req.log.error({ err, route: req.routeOptions.url }, 'request failed');
    return reply.code(500).send(errorBody('internal', 'internal error'));
  });

  app.setNotFoundHandler(notFound);

  registerOpsRoutes(app, ctx);
  registerTopkRoutes(app, ctx, lane);
  registerListenRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerInsightRoutes(app, ctx);
  registerEventRoutes(app, opts.changes);
  await app.register(async (child) => registerSourceRoutes(child, ctx));
  return app;
}
