import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisNames } from './stats';

/**
 * Ranked sets: the structure Top-K reads are served from (Redis sorted sets),
 * derived from the Cassandra counters, which stay the exact source.
 *
 * - a **day set** per (scope, UTC day): member = song_id, score = −plays, so
 *   ZRANGE ascending is count descending, ties by song_id ascending (byte
 *   order, the contract's order for the ASCII ids songs have);
 * - a **window set** per (scope, from, to), the sum of its day sets (ZUNIONSTORE),
 *   and a friends window per (viewer, friend list, from, to), the sum of the
 *   friends' window sets. A read is one ZRANGE offset..offset+limit−1 plus
 *   ZCARD (the exact `total`): O(log n + k), whatever the window holds.
 *
 * Every set holds a sentinel member "" scored +inf: a set that exists is
 * complete (an empty ranking is a set with the sentinel alone), and the
 * sentinel and the set live and expire as one key.
 *
 * Exactness: sets are built lazily from the counters and then kept equal to
 * them — the aggregator's increments go to the day set and to every window
 * registered for the scope that covers the day, in one script (atomic against
 * reads and builds). A build from Cassandra is not atomic, so it leaves a
 * marker first; an increment that finds the marker but not the set deletes
 * the marker, and the build then does not store what it read. Every other
 * change of the counters (intent recovery, GDPR deletion, `topk rebuild`)
 * drops the touched day sets and the windows derived from them; they are
 * rebuilt from the counters on the next read.
 */

/** The scope of a user's own counts. */
export const userScope = (userId: string): string => `u:${userId}`;
/** The scope of the global counts. */
export const GLOBAL_SCOPE = 'g';

/** The ranked sets the counters of these (user, day)s feed: each user's and each day's global. */
export function rankedScopes(slices: Array<{ user: string; day: string }>): ScopeDay[] {
  const days = new Set(slices.map((s) => s.day));
  return [...slices.map((s) => ({ scope: userScope(s.user), day: s.day })), ...[...days].map((day) => ({ scope: GLOBAL_SCOPE, day }))];
}

/** New plays of one (scope, day) per song. */
export interface ScopeDayPlays {
  scope: string;
  day: string;
  plays: Map<string, number>;
}

export interface ScopeDay {
  scope: string;
  day: string;
}

export interface RankedRow {
  song_id: string;
  listen_count: number;
}

export interface RankedPage {
  /** every ranked entry of the window */
  total: number;
  rows: RankedRow[];
}

/** What a read ranks: one scope's window, or the sum of several scopes' windows (friends). */
export type RankedTarget = { scope: string } | { viewer: string; scopes: string[] };

/** Reads the counters of one (scope, day): the exact source a day set is built from. */
export type DayLoader = (scope: string, day: string) => Promise<Map<string, number>>;

// Registry entries are `<window key>\t<from>\t<to>`: dates are 10 characters, so the key is all but the last 22.
const INCREMENT = `
local p = ARGV[1]
local i = 2
while i <= #ARGV do
  local scope, day, m = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local first = i + 3
  local last = first + 2 * m - 1
  local targets = {}
  local dk = p .. 'd:' .. scope .. ':' .. day
  if redis.call('EXISTS', dk) == 1 then
    targets[#targets + 1] = dk
  else
    redis.call('DEL', p .. 'b:' .. scope .. ':' .. day)
  end
  local rk = p .. 'r:' .. scope
  for _, e in ipairs(redis.call('SMEMBERS', rk)) do
    local from, to = string.sub(e, -21, -12), string.sub(e, -10)
    local wk = string.sub(e, 1, -23)
    if redis.call('EXISTS', wk) == 0 then
      redis.call('SREM', rk, e)
    elseif from <= day and day <= to then
      targets[#targets + 1] = wk
    end
  end
  for _, k in ipairs(targets) do
    for j = first, last, 2 do
      if tonumber(redis.call('ZINCRBY', k, -tonumber(ARGV[j + 1]), ARGV[j])) >= 0 then redis.call('ZREM', k, ARGV[j]) end
    end
  end
  i = last + 1
end
return 1
`;

const DROP = `
local p = ARGV[1]
for i = 2, #ARGV, 2 do
  local scope, day = ARGV[i], ARGV[i + 1]
  redis.call('DEL', p .. 'd:' .. scope .. ':' .. day, p .. 'b:' .. scope .. ':' .. day)
  local rk = p .. 'r:' .. scope
  for _, e in ipairs(redis.call('SMEMBERS', rk)) do
    local from, to = string.sub(e, -21, -12), string.sub(e, -10)
    if day == '*' or (from <= day and day <= to) then
      redis.call('DEL', string.sub(e, 1, -23))
      redis.call('SREM', rk, e)
    end
  end
end
return 1
`;

const BEGIN_BUILD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
`;

const COMMIT_BUILD = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZADD', KEYS[1], 'inf', '')
local args = {}
for j = 3, #ARGV, 2 do
  args[#args + 1] = -tonumber(ARGV[j + 1])
  args[#args + 1] = ARGV[j]
  if #args >= 2000 then
    redis.call('ZADD', KEYS[1], unpack(args))
    args = {}
  end
end
if #args > 0 then redis.call('ZADD', KEYS[1], unpack(args)) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

// ARGV: prefix, ttl ms, offset, limit (-1: all), number of windows, then per window:
// key, from, to, n sources, sources…, n registries, scopes…; the last window is ranked.
const READ = `
local p, ttl, offset, limit, nw = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local i = 6
local missing = {}
local wk
for w = 1, nw do
  wk = ARGV[i]
  local from, to, ns = ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  local src = {}
  for j = 1, ns do src[j] = ARGV[i + 3 + j] end
  local nr = tonumber(ARGV[i + 4 + ns])
  local regs = {}
  for j = 1, nr do regs[j] = ARGV[i + 4 + ns + j] end
  i = i + 5 + ns + nr
  if redis.call('EXISTS', wk) == 0 then
    local ok = true
    for _, k in ipairs(src) do
      if redis.call('EXISTS', k) == 0 then
        ok = false
        -- a missing window source waits for its own days, reported by its own window
        if string.sub(k, 1, #p + 2) == p .. 'd:' then missing[#missing + 1] = k end
      end
    end
    if ok then
      redis.call('ZUNIONSTORE', wk, #src, unpack(src))
      for _, s in ipairs(regs) do redis.call('SADD', p .. 'r:' .. s, wk .. '\t' .. from .. '\t' .. to) end
    end
  end
  if #missing == 0 then
    redis.call('PEXPIRE', wk, ttl)
    -- the registry outlives every window it names, so no window misses an increment
    for _, s in ipairs(regs) do redis.call('PEXPIRE', p .. 'r:' .. s, 2 * ttl) end
  end
end
if #missing > 0 then return { 'missing', missing } end
local stop = limit < 0 and -1 or offset + limit - 1
return { 'ok', redis.call('ZCARD', wk) - 1, redis.call('ZRANGE', wk, offset, stop, 'WITHSCORES') }
`;

interface Script {
  text: string;
  sha: string;
}
const script = (text: string): Script => ({ text, sha: createHash('sha1').update(text).digest('hex') });
const SCRIPTS = { increment: script(INCREMENT), drop: script(DROP), begin: script(BEGIN_BUILD), commit: script(COMMIT_BUILD), read: script(READ) };

export interface RankedSetsOptions {
  /** idle lifetime of day and window sets (default 1 h): an unread window costs nothing after it */
  ttlMs?: number;
  /** how long a build from Cassandra may take before its marker lapses (default 60 s) */
  buildMs?: number;
}

/** Day and window sorted sets in Redis: see the module comment. */
export class RankedSets {
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly buildMs: number;
  /** builds in flight in this process, one per day set */
  private readonly building = new Map<string, Promise<boolean>>();

  constructor(
    private readonly redis: Redis,
    keyspace: string,
    opts: RankedSetsOptions = {},
  ) {
    this.prefix = redisNames(keyspace).rankedPrefix;
    this.ttlMs = opts.ttlMs ?? 3_600_000;
    this.buildMs = opts.buildMs ?? 60_000;
  }

  private dayKey(scope: string, day: string): string {
    return `${this.prefix}d:${scope}:${day}`;
  }

  private async eval(s: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    // a Redis that lost its connection fails at once rather than queueing the call
    if (['reconnecting', 'close', 'end'].includes(this.redis.status)) throw new Error(`redis is ${this.redis.status}`);
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return this.redis.eval(s.text, keys.length, ...keys, ...args);
    }
  }

  /** The aggregator's increments (positive, new plays only), after the counters were written. */
  async increment(groups: ScopeDayPlays[]): Promise<void> {
    // one script call per ~1000 songs keeps each call short (Redis runs scripts one at a time)
    let args: Array<string | number> = [];
    let songs = 0;
    const flush = async (): Promise<void> => {
      if (args.length) await this.eval(SCRIPTS.increment, [], [this.prefix, ...args]);
      args = [];
      songs = 0;
    };
    for (const g of groups) {
      if (g.plays.size === 0) continue;
      args.push(g.scope, g.day, g.plays.size);
      for (const [song, n] of g.plays) args.push(song, n);
      songs += g.plays.size;
      if (songs >= 1000) await flush();
    }
    await flush();
  }

  /** Forget the sets of these (scope, day)s and every window derived from them (day `*`: every window of the scope). */
  async drop(pairs: ScopeDay[]): Promise<void> {
    for (let i = 0; i < pairs.length; i += 200) {
      await this.eval(SCRIPTS.drop, [], [this.prefix, ...pairs.slice(i, i + 200).flatMap((p) => [p.scope, p.day])]);
    }
  }

  /**
   * The ranking of `target` over the days `from`..`to` (newest first in `days`),
   * rows `offset`..`offset+limit−1` (limit −1: all) and the exact total.
   * Day sets not in Redis are built from `load`.
   */
  async page(target: RankedTarget, win: { from: string; to: string; days: readonly string[] }, offset: number, limit: number, load: DayLoader): Promise<RankedPage> {
    const windowOf = (scope: string): Array<string | number> => [
      `${this.prefix}w:${scope}:${win.from}:${win.to}`,
      win.from,
      win.to,
      win.days.length,
      ...win.days.map((d) => this.dayKey(scope, d)),
      1,
      scope,
    ];
    const specs: Array<Array<string | number>> = [];
    const dayOf = new Map<string, ScopeDay>();
    const scopes = 'scope' in target ? [target.scope] : [...new Set(target.scopes)].sort();
    for (const s of scopes) {
      specs.push(windowOf(s));
      for (const d of win.days) dayOf.set(this.dayKey(s, d), { scope: s, day: d });
    }
    if ('viewer' in target) {
      const hash = createHash('sha1').update(scopes.join('\n')).digest('hex').slice(0, 16);
      const own = `${this.prefix}f:${target.viewer}:${hash}:${win.from}:${win.to}`;
      specs.push([own, win.from, win.to, scopes.length, ...scopes.map((s) => `${this.prefix}w:${s}:${win.from}:${win.to}`), scopes.length, ...scopes]);
    }
    const args = [this.prefix, this.ttlMs, offset, limit, specs.length, ...specs.flat()];
    for (let attempt = 0; ; attempt++) {
      const r = (await this.eval(SCRIPTS.read, [], args)) as [string, ...unknown[]];
      if (r[0] === 'ok') {
        const flat = r[2] as string[];
        const rows: RankedRow[] = [];
        for (let i = 0; i < flat.length; i += 2) if (flat[i] !== '') rows.push({ song_id: flat[i]!, listen_count: -Number(flat[i + 1]) });
        return { total: Number(r[1]), rows };
      }
      if (attempt >= 5) throw new Error('ranked sets: day sets kept changing while they were built');
      const missing = (r[1] as string[]).map((k) => dayOf.get(k)!);
      await Promise.all(missing.map((m) => this.build(m.scope, m.day, load)));
    }
  }

  /** Build one day set from the counters (once per process at a time); false when an increment raced it. */
  private build(scope: string, day: string, load: DayLoader): Promise<boolean> {
    const key = this.dayKey(scope, day);
    let p = this.building.get(key);
    if (!p) {
      p = this.buildNow(scope, day, load).finally(() => this.building.delete(key));
      this.building.set(key, p);
    }
    return p;
  }

  private async buildNow(scope: string, day: string, load: DayLoader): Promise<boolean> {
    const keys = [this.dayKey(scope, day), `${this.prefix}b:${scope}:${day}`];
    const token = randomUUID();
    if ((await this.eval(SCRIPTS.begin, keys, [token, this.buildMs])) === 0) return true;
    const counts = await load(scope, day);
    const args: Array<string | number> = [token, this.ttlMs];
    for (const [song, n] of counts) if (n > 0) args.push(song, n);
    return (await this.eval(SCRIPTS.commit, keys, args)) === 1;
  }
}
