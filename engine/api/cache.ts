import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger';
import { withTimeout } from '../shared/concurrency';
import type { ApiMetrics } from './metrics';

import { redisNames } from '../shared/stats';

/** Groups a cached answer belongs to; invalidating a group drops its answers. */
export const group = {
  user: (userId: string) => `u:${userId}`,
  global: 'global',
  friends: 'friends',
};

/**
 * A slot that lives as long as one cached answer: the route that owns the key keeps its serialised
 * hit response there (made on the first hit, sent as bytes on every later one). An invalidation
 * drops the entry and its slot together, so the bytes never outlive the answer they were made from.
 */
export interface HitMemo {
  body?: string;
}

export interface CacheHit<T> {
  value: T;
  tier: 'lru' | 'redis';
  memo: HitMemo;
}

export interface TopkCacheOptions {
  redis: Redis;
  /**
   * the deployment's keyspace: names the cache keys and the channel the aggregator
   * publishes `{"users":[...],"days":[...]}` on after each committed batch (shared/stats.ts redisNames)
   */
  keyspace: string;
  ttlSeconds: number;
  metrics: ApiMetrics;
  log: Logger;
  /** entries of the in-process tier; 0 turns it off (Redis only). Default TOPK_API_LRU_MAX or 500 */
  lruMax?: number;
  lruTtlMs?: number;
  /** per Redis command; a slower Redis counts as unavailable */
  redisTimeoutMs?: number;
}

interface LruEntry extends HitMemo {
  /** the answer, parsed once: callers only read it (routes copy it into their reply) */
  value: unknown;
  groups: string[];
}

/**
 * Two-tier cache of computed answers: a small in-process LRU with a short TTL
 * in front of Redis (TTL = TOPK_CACHE_TTL_SECONDS). Every entry belongs to
 * groups (a user, global, friends); an invalidation drops whole groups from
 * both tiers. Redis being down never fails a request: the operation is
 * skipped and counted.
 */
export class TopkCache {
  private readonly lru: LRUCache<string, LruEntry>;
  /** bumped per group on invalidation; an answer computed across a bump is not stored */
  private readonly versions = new Map<string, number>();
  /** bumped on every invalidation */
  private epoch = 0;
  /** invalidations still deleting Redis keys */
  private dropsInFlight = 0;
  private readonly redis: Redis;
  private readonly ttlSeconds: number;
  private readonly metrics: ApiMetrics;
  private readonly log: Logger;
  private readonly redisTimeoutMs: number;
  private readonly lruOn: boolean;
  private readonly prefix: string;
  private readonly indexPrefix: string;
  private readonly channel: string;

  constructor(opts: TopkCacheOptions) {
    const names = redisNames(opts.keyspace);
    this.prefix = names.cachePrefix;
    this.indexPrefix = `${names.cachePrefix}idx:`;
    this.channel = names.invalidate;
    this.redis = opts.redis;
    this.ttlSeconds = opts.ttlSeconds;
    this.metrics = opts.metrics;
    this.log = opts.log;
    this.redisTimeoutMs = opts.redisTimeoutMs ?? 250;
    const lruMax = opts.lruMax ?? 500;
    this.lruOn = lruMax > 0;
    this.lru = new LRUCache<string, LruEntry>({
      max: Math.max(1, lruMax),
      ttl: Math.min(opts.lruTtlMs ?? 10_000, opts.ttlSeconds * 1000),
    });
  }

  /**
   * bumped when `versions` is emptied to bound its size (one entry per user ever invalidated):
   * part of every snapshot, so no answer computed before the reset is stored after it
   */
  private generation = 0;

  /** Snapshot of the groups' versions; pass it back to `set`. */
  snapshot(groups: string[]): number[] {
    return [this.generation, ...groups.map((g) => this.versions.get(g) ?? 0)];
  }

  async get<T>(key: string): Promise<CacheHit<T> | null> {
    const local = this.lruOn ? this.lru.get(key) : undefined;
    if (local) {
      this.metrics.cacheRequests.inc({ tier: 'lru' });
      return { value: local.value as T, tier: 'lru', memo: local };
    }
    // a Redis entry read while an invalidation is deleting keys may be stale: not trusted, not kept
    const epoch = this.epoch;
    const stored = this.dropsInFlight > 0 ? undefined : await this.redisOp('get', (r) => r.get(this.prefix + key));
    if (typeof stored === 'string' && epoch === this.epoch && this.dropsInFlight === 0) {
      // stored as `<groups JSON>\n<value JSON>` so one GET brings both
      const nl = stored.indexOf('\n');
      const groups = JSON.parse(stored.slice(0, nl)) as string[];
      const value = JSON.parse(stored.slice(nl + 1)) as T;
      const entry: LruEntry = { value, groups };
      if (this.lruOn) this.lru.set(key, entry);
      this.metrics.cacheRequests.inc({ tier: 'redis' });
      return { value, tier: 'redis', memo: entry };
    }
    this.metrics.cacheRequests.inc({ tier: 'miss' });
    return null;
  }

  /** whether answers are kept in process (TOPK_API_LRU_MAX > 0) */
  get inProcess(): boolean {
    return this.lruOn;
  }

  /** The serialised response kept on an in-process entry (no I/O): counted as an LRU hit when there is one. */
  hitBody(key: string): string | undefined {
    const body = this.lruOn ? this.lru.get(key)?.body : undefined;
    if (body !== undefined) this.metrics.cacheRequests.inc({ tier: 'lru' });
    return body;
  }

  /** Store `value` unless one of `groups` was invalidated since `snapshot`. */
  async set(key: string, value: unknown, groups: string[], snapshot: number[]): Promise<void> {
    const now = this.snapshot(groups);
    if (now.some((v, i) => v !== snapshot[i])) return;
    const json = JSON.stringify(value);
    if (this.lruOn) this.lru.set(key, { value, groups });
    await this.redisOp('set', (r) => {
      const m = r.multi().set(this.prefix + key, `${JSON.stringify(groups)}\n${json}`, 'EX', this.ttlSeconds);
      for (const g of groups) m.sadd(this.indexPrefix + g, key).expire(this.indexPrefix + g, this.ttlSeconds);
      return m.exec();
    });
    // an invalidation that arrived while Redis was being written must win
    if (this.snapshot(groups).some((v, i) => v !== snapshot[i])) await this.dropGroups(groups);
  }

  /** Drop every answer of the listed users plus all global and friends answers, in both tiers. */
  async invalidate(users: string[], opts: { global?: boolean } = {}): Promise<void> {
    const groups = users.map(group.user);
    if (opts.global !== false) groups.push(group.global, group.friends);
    await this.dropGroups(groups);
  }

  private async dropGroups(groups: string[]): Promise<void> {
    this.epoch++;
    this.dropsInFlight++;
    try {
      await this.dropGroupsNow(groups);
    } finally {
      this.dropsInFlight--;
    }
  }

  private async dropGroupsNow(groups: string[]): Promise<void> {
    if (this.versions.size > 50_000) {
      this.versions.clear();
      this.generation++;
    }
    for (const g of groups) this.versions.set(g, (this.versions.get(g) ?? 0) + 1);
    const set = new Set(groups);
    for (const [key, entry] of this.lru.entries()) {
      if (entry.groups.some((g) => set.has(g))) this.lru.delete(key);
    }
    await this.redisOp('del', async (r) => {
      const pipe = r.pipeline();
      for (const g of groups) pipe.smembers(this.indexPrefix + g);
      const res = (await pipe.exec()) ?? [];
      const keys = new Set<string>();
      for (const [err, members] of res) if (!err && Array.isArray(members)) for (const k of members as string[]) keys.add(k);
      const del = [...groups.map((g) => this.indexPrefix + g)];
      for (const k of keys) del.push(this.prefix + k);
      for (let i = 0; i < del.length; i += 500) await r.del(...del.slice(i, i + 500));
    });
  }

  /** Forget everything (used after the invalidation subscription was interrupted). */
  async clearAll(): Promise<void> {
    this.epoch++;
    for (const g of this.versions.keys()) this.versions.set(g, (this.versions.get(g) ?? 0) + 1);
    this.lru.clear();
    await this.redisOp('del', async (r) => {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await r.del(...keys);
      } while (cursor !== '0');
    });
  }

  /**
   * Listen on `topk:invalidate` with `subscriber` (a connection of its own,
   * owned by the caller). After a reconnect every cached answer is dropped,
   * since messages may have been missed while Redis was away.
   */
  async subscribe(subscriber: Redis): Promise<void> {
    let everReady = subscriber.status === 'ready';
    subscriber.on('ready', () => {
      if (everReady) {
        this.clearAll().catch((err: unknown) => this.log.warn({ err }, 'cache clear after reconnect failed'));
      }
      everReady = true;
      // ioredis re-subscribes by itself; this covers a first SUBSCRIBE that failed while Redis was away
      subscriber.subscribe(this.channel).catch(() => undefined);
    });
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      this.metrics.cacheInvalidations.inc();
      let users: string[] = [];
      try {
        const parsed = JSON.parse(message) as { users?: unknown };
        if (Array.isArray(parsed.users)) users = parsed.users.filter((u): u is string => typeof u === 'string');
      } catch {
        this.log.warn({ message: message.slice(0, 200) }, 'malformed invalidation message; dropping all cached answers');
        this.clearAll().catch(() => undefined);
        return;
      }
      this.invalidate(users).catch((err: unknown) => this.log.warn({ err }, 'cache invalidation failed'));
    });
    if (subscriber.status === 'ready') await subscriber.subscribe(this.channel);
  }

  /** Tell every API instance to drop these users' answers. */
  async publishInvalidation(users: string[]): Promise<void> {
    await this.redisOp('publish', (r) => r.publish(this.channel, JSON.stringify({ users, days: [] })));
  }

  private async redisOp<T>(op: string, fn: (r: Redis) => Promise<T>): Promise<T | undefined> {
    if (this.redis.status !== 'ready') {
      this.metrics.redisUnavailable.inc({ op });
      return undefined;
    }
    try {
      return await withTimeout(fn(this.redis), this.redisTimeoutMs, `redis ${op} timed out`);
    } catch (err) {
      this.metrics.redisUnavailable.inc({ op });
      this.log.debug({ err: (err as Error).message, op }, 'redis cache operation failed');
      return undefined;
    }
  }
}
