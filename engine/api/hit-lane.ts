import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../shared/logger';
import type { TopkCache } from './cache';
import type { ApiMetrics } from './metrics';

const DAY_MS = 86_400_000;
/** longer URLs are not remembered (they are rare, and the map's memory stays bounded) */
const MAX_URL_LENGTH = 512;

interface Lane {
  /** the route's pattern, as the request-duration metric names it */
  route: string;
  /** the answer-cache key Fastify resolved this URL to */
  key: string;
  /** ms since epoch: the key may name other days from then on (a `days` window moves at 00:00 UTC) */
  until: number;
}

export interface HitLaneOptions {
  cache: TopkCache;
  metrics: ApiMetrics;
  log: Logger;
  /** the same Host and bearer checks as the API's onRequest hook */
  hostAllowed: (host: string | undefined) => boolean;
  tokenOk: (authorization: string | undefined) => boolean;
  now: () => number;
  /** URLs remembered (default 2 000) */
  maxUrls?: number;
}

/**
 * Repeated answer-cache hits of the Top-K routes, sent before Fastify sees the request.
 *
 * A hit answered through Fastify (Host and bearer checks, query validation, the handler,
 * the cache, serialisation, hooks) costs ~10× what sending its bytes does. Once Fastify has
 * validated a URL and answered it from an in-process cache entry that holds its serialised
 * response (`HitMemo`), the lane remembers which cache key that URL resolved to; the next GET
 * of the same URL, with the same checks passed (the API's own host and token functions), is
 * answered with those bytes and the headers Fastify sent, and counted in the same metrics.
 *
 * Exact by construction: the bytes live on the cache entry, so the invalidation that drops
 * an answer (a counted listen, a deletion) drops them too, and the lane falls back to
 * Fastify; the URL → key mapping is only used on the UTC day it was made (a `days` window's
 * key names today). Everything else goes to Fastify unchanged: other methods, unknown URLs,
 * requests with an Origin (CORS headers) or a Cache-Control header (bypass), failed checks
 * (Fastify answers 401/403), entries not (or no longer) in the in-process tier, and every
 * request once the server is closing.
 */
export class HitLane {
  private readonly urls: LRUCache<string, Lane>;
  private closing = false;

  constructor(private readonly o: HitLaneOptions) {
    this.urls = new LRUCache({ max: o.maxUrls ?? 2_000 });
  }

  /** Fastify validated `url`, checked its request and answered it from the cache entry `key` (route pattern `route`). */
  remember(url: string, route: string, key: string): void {
    // without the in-process tier there are never bytes to send
    if (this.closing || url.length > MAX_URL_LENGTH || !this.o.cache.inProcess) return;
    const now = this.o.now();
    this.urls.set(url, { route, key, until: (Math.floor(now / DAY_MS) + 1) * DAY_MS });
  }

  /** No more answers from the lane (the server is closing: Fastify answers 503). */
  close(): void {
    this.closing = true;
    this.urls.clear();
  }

  /** Answers `req` when it is a remembered hit whose bytes are ready; false: hand it to Fastify. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' || this.closing) return false;
    const lane = this.urls.get(req.url ?? '');
    if (!lane) return false;
    const start = performance.now();
    const h = req.headers;
    if (h.origin !== undefined || h['cache-control'] !== undefined) return false;
    if (this.o.now() >= lane.until) {
      this.urls.delete(req.url ?? '');
      return false;
    }
    if (!this.o.hostAllowed(h.host) || !this.o.tokenOk(h.authorization)) return false;
    const body = this.o.cache.hitBody(lane.key);
    if (body === undefined) return false;
    // the headers of the Top-K routes' hit replies, in the order Fastify writes them
    res.writeHead(200, ['x-cache', 'HIT', 'content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(body))]);
    res.end(body);
    const ms = performance.now() - start;
    this.o.metrics.httpDuration.observe({ route: lane.route, method: 'GET', status_code: '200' }, ms / 1000);
    if (this.o.log.isLevelEnabled('debug')) this.o.log.debug({ method: 'GET', route: lane.route, status: 200, ms: Math.round(ms * 10) / 10, lane: true }, 'request');
    return true;
  }
}
