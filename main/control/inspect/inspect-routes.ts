import type { IncomingMessage, ServerResponse } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import type { Redis } from 'ioredis';
import type cassandra from 'cassandra-driver';
import { createCassandra } from '../../../engine/shared/cassandra';
import type { Config } from '../../../engine/shared/config';
import type { Logger } from '../../../engine/shared/logger';
import { createRedis } from '../../../engine/shared/redis';
import type { RouteHook } from '../control-server';
import { CassandraInspector } from './cassandra-inspector';
import { HttpError, badRequest } from '../../../engine/shared/http-error';
import { intParam } from './inspect-error';
import { readJsonObject } from '../json-body';
import { KafkaInspector } from './kafka-inspector';
import { RedisInspector } from './redis-inspector';
import { crawlQueueName } from '../../../engine/crawler/crawl-queue';

/** Where the stores are: the stack's current endpoints plus the app keyspace. */
export type InspectTarget = Pick<Config, 'kafkaBrokers' | 'cassandraContactPoints' | 'cassandraLocalDc' | 'redisUrl' | 'keyspace'>;

export interface InspectRoutesOptions {
  /** asked on every request, so a stack that comes up (or moves) later is followed */
  target: () => InspectTarget;
  log?: Logger;
  kafka?: { timeoutMs?: number; keyWindow?: number };
  cassandra?: { queryTimeoutMs?: number };
  redis?: { scanRatePerSecond?: number; maxScanCallsPerRequest?: number };
}

export interface InspectRoutes {
  route: RouteHook;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
type Store = 'kafka' | 'cassandra' | 'redis';
const STORE_NAME: Record<Store, string> = { kafka: 'Kafka', cassandra: 'Cassandra', redis: 'Redis' };

/** A lazily made client per store, remade when the target endpoints change. */
class Lazy<T> {
  private key: string | undefined;
  private value: T | undefined;
  constructor(
    private readonly make: () => T,
    private readonly dispose: (v: T) => Promise<void>,
  ) {}
  get(key: string): T {
    if (this.value !== undefined && this.key !== key) {
      void this.dispose(this.value).catch(() => undefined);
      this.value = undefined;
    }
    this.key = key;
    this.value ??= this.make();
    return this.value;
  }
  async drop(): Promise<void> {
    const v = this.value;
    this.value = undefined;
    if (v !== undefined) await this.dispose(v).catch(() => undefined);
  }
}

/**
 * `/control/inspect/*`: read-only views of Kafka, Cassandra and Redis for the
 * Kafka/Cassandra/Redis screens (a RouteHook; auth has already run).
 *
 *   GET  /control/inspect/kafka                                   → { topics, groups }
 *   GET  /control/inspect/kafka/topics/{topic}/messages           ?partition&from=newest|offset|timestamp&offset&timestamp&key&limit
 *   GET  /control/inspect/cassandra/keyspaces                     ?system=true → { keyspaces }
 *   GET  /control/inspect/cassandra/keyspaces/{ks}/tables/{t}/rows ?key=<JSON>&page_state&limit
 *   POST /control/inspect/cassandra/query {cql, limit}            (one SELECT, limit, timeout)
 *   GET  /control/inspect/redis/keys                              ?pattern&cursor&count
 *   GET  /control/inspect/redis/key                               ?key=
 *   GET  /control/inspect/redis/queues                            → { queues }
 *
 * Bad input answers 400 `{error:{code,message,field}}`; a store that cannot
 * be reached answers 503.
 */
export function createInspectRoutes(o: InspectRoutesOptions): InspectRoutes {
  const log = o.log;
  const kafka = new Lazy<KafkaInspector>(
    () => {
      const t = o.target();
      const client = new Kafka({ clientId: 'topk-inspect', brokers: t.kafkaBrokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 10_000, retry: { retries: 2, initialRetryTime: 200 } });
      return new KafkaInspector({ kafka: client, log, timeoutMs: o.kafka?.timeoutMs, keyWindow: o.kafka?.keyWindow });
    },
    (k) => k.close(),
  );
  const cass = new Lazy<{ client: cassandra.Client; inspector: CassandraInspector }>(
    () => {
      const t = o.target();
      const client = createCassandra(t, log ?? silentLogger(), { keyspace: false });
      return { client, inspector: new CassandraInspector({ client, keyspace: t.keyspace, log, queryTimeoutMs: o.cassandra?.queryTimeoutMs }) };
    },
    (c) => c.client.shutdown(),
  );
  const redis = new Lazy<{ client: Redis; inspector: RedisInspector }>(
    () => {
      const client = createRedis(o.target(), log ?? silentLogger(), { name: 'topk-inspect' });
      return { client, inspector: new RedisInspector({ redis: client, log, queueName: crawlQueueName(o.target().keyspace), ...o.redis }) };
    },
    async (r) => {
      await r.inspector.close();
      r.client.disconnect();
    },
  );

  const keyOf = (store: Store): string => {
    const t = o.target();
    if (store === 'kafka') return t.kafkaBrokers.join(',');
    if (store === 'cassandra') return `${t.cassandraContactPoints.join(',')}/${t.cassandraLocalDc}/${t.keyspace}`;
    return t.redisUrl;
  };

  const handle = async (req: IncomingMessage, path: string, url: URL): Promise<{ status: number; body: unknown; store?: Store }> => {
    const m = req.method ?? 'GET';
    const q = url.searchParams;
    const seg = path.split('/').slice(3).map(decodeURIComponent); // after /control/inspect
    const store = seg[0] as Store;
    const allow = (method: string): void => {
      if (m !== method) throw new HttpError(405, 'method_not_allowed', `${path} answers ${method} only`);
    };
    if (store === 'kafka') {
      const k = kafka.get(keyOf('kafka'));
      if (seg.length === 1) {
        allow('GET');
        return { status: 200, body: await k.overview() };
      }
      if (seg.length === 4 && seg[1] === 'topics' && seg[3] === 'messages') {
        allow('GET');
        return { status: 200, body: await k.messages(seg[2]!, q) };
      }
    }
    if (store === 'cassandra') {
      const c = cass.get(keyOf('cassandra')).inspector;
      if (seg.length === 2 && seg[1] === 'keyspaces') {
        allow('GET');
        return { status: 200, body: { keyspaces: await c.keyspaces({ system: q.get('system') === 'true' }) } };
      }
      if (seg.length === 6 && seg[1] === 'keyspaces' && seg[3] === 'tables' && seg[5] === 'rows') {
        allow('GET');
        const limit = intParam(q, 'limit', 1, 1000, 50);
        const pageState = q.get('page_state') || undefined;
        return { status: 200, body: await c.rows(seg[2]!, seg[4]!, { key: q.get('key') ?? undefined, pageState, limit }) };
      }
      if (seg.length === 2 && seg[1] === 'query') {
        allow('POST');
        const body = await readJson(req);
        return { status: 200, body: await c.query(body.cql, body.limit) };
      }
    }
    if (store === 'redis') {
      const r = redis.get(keyOf('redis')).inspector;
      if (seg.length === 2 && seg[1] === 'keys') {
        allow('GET');
        const count = intParam(q, 'count', 1, 1000, 200);
        return { status: 200, body: await r.scan({ pattern: q.get('pattern') ?? undefined, cursor: q.get('cursor') ?? undefined, count }) };
      }
      if (seg.length === 2 && seg[1] === 'key') {
        allow('GET');
        return { status: 200, body: await r.value(q.get('key')) };
      }
      if (seg.length === 2 && seg[1] === 'queues') {
        allow('GET');
        return { status: 200, body: { queues: await r.bullQueues() } };
      }
    }
    throw new HttpError(404, 'not_found', `no route ${m} ${path}`);
  };

  const route: RouteHook = async (req, res, url) => {
    const path = url.pathname.replace(/\/+$/, '');
    if (!path.startsWith('/control/inspect/') && path !== '/control/inspect') return false;
    const store = path.split('/')[3] as Store | undefined;
    try {
      const out = await handle(req, path, url);
      send(res, out.status, out.body);
    } catch (err) {
      const e = toHttpError(err, store && store in STORE_NAME ? store : undefined, o.target, log);
      if (e.status === 503 && store === 'cassandra') await cass.drop(); // a client that never connected stays broken; make a new one next time
      if (e.status === 503 && store === 'kafka') await kafka.drop();
      send(res, e.status, e.body());
    }
    return true;
  };

  return {
    route,
    close: async () => {
      await Promise.all([kafka.drop(), cass.drop(), redis.drop()]);
    },
  };
}

const UNREACHABLE = /^KafkaJS(Connection|ConnectionClosed|NumberOfRetriesExceeded|RequestTimeout|BrokerNotFound)|NoHostAvailable|OperationTimedOut|MaxRetriesPerRequest/;

function toHttpError(err: unknown, store: Store | undefined, target: () => InspectTarget, log: Logger | undefined): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as Error & { code?: string };
  const msg = e?.message ?? String(err);
  if (store && (UNREACHABLE.test(e?.name ?? '') || /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|Connection is closed|All host\(s\) tried/i.test(msg))) {
    const t = target();
    const where = store === 'kafka' ? t.kafkaBrokers.join(', ') : store === 'cassandra' ? t.cassandraContactPoints.join(', ') : t.redisUrl;
    log?.warn({ err: msg, store }, 'inspect: store unreachable');
    return new HttpError(503, `${store}_unavailable`, `${STORE_NAME[store]} is not reachable at ${where}: ${msg}`);
  }
  log?.error({ err }, 'inspect request failed');
  return new HttpError(500, 'internal', msg);
}

/** The query route needs its body: an empty one is refused with the shape it wants. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJsonObject(req, MAX_BODY);
  if (!body) throw badRequest('invalid_body', 'the body must be JSON: {"cql": "SELECT …", "limit": 100}', 'body');
  return body;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

let silent: Logger | undefined;
function silentLogger(): Logger {
  silent ??= pino({ level: 'silent' });
  return silent;
}
