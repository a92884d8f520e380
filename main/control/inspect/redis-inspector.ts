import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../../engine/shared/logger';
import { HttpError, badRequest } from '../../../engine/shared/http-error';

export interface RedisKeyInfo {
  key: string;
  type: string;
  /** seconds; -1 = no expiry */
  ttl: number;
}
export interface RedisScanResult {
  keys: RedisKeyInfo[];
  /** '0' when the whole keyspace has been walked */
  cursor: string;
  /** SCAN calls this request made */
  scan_calls: number;
  /** stopped early by the rate limit; continue with `cursor` */
  throttled?: boolean;
}
export interface RedisValueInfo {
  key: string;
  type: string;
  ttl: number;
  /** bytes for a string, entries otherwise */
  length?: number;
  value: unknown;
  truncated?: boolean;
}
export interface BullQueueInfo {
  name: string;
  /** by state; `paused` = the waiting jobs of a paused queue */
  counts: Record<string, number>;
  paused: boolean;
}

export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

export interface RedisInspectorOptions {
  /** a connection of the inspector's own (the rate limit is per connection) */
  redis: Redis;
  log?: Logger;
  /** the crawl queue, always listed (default topk-crawl) */
  queueName?: string;
  /** BullMQ key prefix (default bull) */
  queuePrefix?: string;
  /** largest COUNT hint per SCAN call (default 1000) */
  maxCount?: number;
  /** SCAN calls one request may make (default 10) */
  maxScanCallsPerRequest?: number;
  /** SCAN calls per second on this connection (default 50) */
  scanRatePerSecond?: number;
  /** items a value preview shows (default 100) */
  previewItems?: number;
  /** bytes of a string shown (default 4096) */
  previewBytes?: number;
}

/** A token bucket: `take()` is false when the rate is used up. */
class RateLimit {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Read-only views of Redis: keys by pattern with incremental, throttled SCAN
 * (never KEYS), a bounded value preview per type, and the BullMQ queues with
 * job counts. Never writes (BullMQ queues are opened with skipMetasUpdate).
 */
export class RedisInspector {
  private readonly redis: Redis;
  private readonly limit: RateLimit;
  private readonly queues = new Map<string, Queue>();
  private readonly queueName: string;
  private readonly prefix: string;
  private readonly maxCount: number;
  private readonly maxCalls: number;
  private readonly items: number;
  private readonly bytes: number;

  constructor(o: RedisInspectorOptions) {
    this.redis = o.redis;
    this.limit = new RateLimit(o.scanRatePerSecond ?? 50);
    this.queueName = o.queueName ?? 'topk-crawl';
    this.prefix = o.queuePrefix ?? 'bull';
    this.maxCount = o.maxCount ?? 1000;
    this.maxCalls = o.maxScanCallsPerRequest ?? 10;
    this.items = o.previewItems ?? 100;
    this.bytes = o.previewBytes ?? 4096;
  }

  /**
   * Walks SCAN from `cursor` until `count` keys were found, the cursor is back
   * at 0, this request made its share of SCAN calls, or the connection's rate
   * is used up; then TYPE + PTTL in one pipeline.
   */
  async scan(q: { pattern?: string; cursor?: string; count?: number }): Promise<RedisScanResult> {
    const pattern = q.pattern === undefined || q.pattern === '' ? '*' : q.pattern;
    if (pattern.length > 512) throw badRequest('invalid_pattern', 'pattern must be at most 512 characters', 'pattern');
    let cursor = q.cursor === undefined || q.cursor === '' ? '0' : q.cursor;
    if (!/^\d{1,20}$/.test(cursor)) throw badRequest('invalid_cursor', 'cursor must be the number a previous scan returned (0 to start)', 'cursor');
    const count = q.count ?? 200;
    if (!Number.isInteger(count) || count < 1 || count > this.maxCount) throw badRequest('invalid_integer', `count must be an integer between 1 and ${this.maxCount}`, 'count');

    const found = new Set<string>();
    let calls = 0;
    let throttled = false;
    do {
      if (calls >= this.maxCalls) break;
      if (!this.limit.take()) {
        throttled = true;
        break;
      }
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      calls++;
      cursor = next;
      for (const k of keys) found.add(k);
    } while (cursor !== '0' && found.size < count);

    const keys = [...found];
    const infos: RedisKeyInfo[] = [];
    if (keys.length) {
      const pipe = this.redis.pipeline();
      for (const k of keys) pipe.type(k).pttl(k);
      const res = (await pipe.exec()) ?? [];
      keys.forEach((key, i) => {
        const type = res[i * 2]?.[1] as string | undefined;
        const pttl = res[i * 2 + 1]?.[1] as number | undefined;
        if (!type || type === 'none') return; // expired or deleted since SCAN saw it
        infos.push({ key, type, ttl: ttlSeconds(pttl ?? -1) });
      });
    }
    infos.sort((a, b) => a.key.localeCompare(b.key));
    return { keys: infos, cursor, scan_calls: calls, ...(throttled ? { throttled } : {}) };
  }

  /** A bounded preview of one key's value by type, with its size. */
  async value(key: string | null): Promise<RedisValueInfo> {
    if (key === null || key === '') throw badRequest('missing_key', 'key is required', 'key');
    const r = this.redis;
    const [[, type], [, pttl]] = ((await r.pipeline().type(key).pttl(key).exec()) ?? []) as [[unknown, string], [unknown, number]];
    if (type === 'none') throw new HttpError(404, 'unknown_key', `there is no key "${key}" (it may have expired)`, 'key');
    const ttl = ttlSeconds(pttl);
    const n = this.items;
    switch (type) {
      case 'string': {
        const len = await r.strlen(key);
        const text = await r.getrange(key, 0, this.bytes - 1);
        const truncated = len > this.bytes;
        return { key, type, ttl, length: len, value: truncated ? text : parseMaybeJson(text), ...(truncated ? { truncated } : {}) };
      }
      case 'hash': {
        const len = await r.hlen(key);
        const value: Record<string, string> = {};
        await this.scanEntries((c) => r.hscan(key, c, 'COUNT', n), (items) => {
          for (let i = 0; i + 1 < items.length; i += 2) if (Object.keys(value).length < n) value[items[i]!] = items[i + 1]!;
          return Object.keys(value).length >= n;
        });
        return { key, type, ttl, length: len, value, ...(len > Object.keys(value).length ? { truncated: true } : {}) };
      }
      case 'set': {
        const len = await r.scard(key);
        const members = new Set<string>();
        await this.scanEntries((c) => r.sscan(key, c, 'COUNT', n), (items) => {
          for (const m of items) if (members.size < n) members.add(m);
          return members.size >= n;
        });
        const value = [...members].sort();
        return { key, type, ttl, length: len, value, ...(len > value.length ? { truncated: true } : {}) };
      }
      case 'zset': {
        const len = await r.zcard(key);
        const flat = await r.zrange(key, 0, n - 1, 'WITHSCORES');
        const value: { member: string; score: number }[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) value.push({ member: flat[i]!, score: Number(flat[i + 1]) });
        return { key, type, ttl, length: len, value, ...(len > value.length ? { truncated: true } : {}) };
      }
      case 'list': {
        const len = await r.llen(key);
        const value = (await r.lrange(key, 0, n - 1)).map(parseMaybeJson);
        return { key, type, ttl, length: len, value, ...(len > value.length ? { truncated: true } : {}) };
      }
      case 'stream': {
        const len = await r.xlen(key);
        const entries = await r.xrevrange(key, '+', '-', 'COUNT', n);
        const value = entries.map(([id, fields]) => {
          const f: Record<string, string> = {};
          for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
          return { id, fields: f };
        });
        return { key, type, ttl, length: len, value, ...(len > value.length ? { truncated: true } : {}) };
      }
      default:
        return { key, type, ttl, value: null };
    }
  }

  /** BullMQ queues: the crawl queue plus every `<prefix>:*:meta` a bounded SCAN finds, with job counts by state. */
  async bullQueues(): Promise<BullQueueInfo[]> {
    const names = new Set<string>([this.queueName]);
    const metaPattern = `${this.prefix}:*:meta`;
    let cursor = '0';
    let calls = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', metaPattern, 'COUNT', this.maxCount);
      cursor = next;
      calls++;
      for (const k of keys) names.add(k.slice(this.prefix.length + 1, -':meta'.length));
    } while (cursor !== '0' && calls < 100 && names.size < 100);
    const sorted = [...names].sort((a, b) => (a === this.queueName ? -1 : b === this.queueName ? 1 : a.localeCompare(b)));
    return Promise.all(
      sorted.map(async (name) => {
        const q = this.queue(name);
        const [counts, paused] = await Promise.all([q.getJobCounts(...JOB_STATES), q.isPaused()]);
        return { name, counts: { ...counts, paused: paused ? (counts.waiting ?? 0) : 0 }, paused };
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      // a shared connection (BullMQ leaves it open on close); never writes the queue's meta
      q = new Queue(name, { connection: this.redis, prefix: this.prefix, skipMetasUpdate: true, skipVersionCheck: true });
      q.on('error', () => undefined);
      if (this.queues.size >= 200) {
        const [oldest, oq] = this.queues.entries().next().value as [string, Queue];
        this.queues.delete(oldest);
        void oq.close().catch(() => undefined);
      }
      this.queues.set(name, q);
    }
    return q;
  }

  /** HSCAN/SSCAN from 0 until `take` says enough, the cursor returns to 0, or 5 calls. */
  private async scanEntries(call: (cursor: string) => Promise<[string, string[]]>, take: (items: string[]) => boolean): Promise<void> {
    let cursor = '0';
    for (let i = 0; i < 5; i++) {
      const [next, items] = await call(cursor);
      cursor = next;
      if (take(items) || cursor === '0') return;
    }
  }
}

function ttlSeconds(pttl: number): number {
  return pttl < 0 ? -1 : Math.ceil(pttl / 1000);
}

/** JSON text (objects/arrays) parsed for a nicer preview; anything else as is. */
function parseMaybeJson(s: string): unknown {
  const t = s.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return s;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
}
