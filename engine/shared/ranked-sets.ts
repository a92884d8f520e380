import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SCRIPTS } from './ranked-sets-scripts';
import type { Script } from './ranked-sets-scripts';
import { redisNames } from './stats';
import { Semaphore } from './concurrency';

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
 *   ZCARD (the exact `total`): O(log n + k), whatever the window holds. A
 *   window that exists answers alone (the increments keep it exact): the sets
 *   it was made from are consulted only to make it, so a friends read costs
 *   what a user read does, not 50 windows' worth of checks and renewals.
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
 *
 * Artists: every set K (day, window, friends) has two companions kept with it
 * by the same scripts — `K|a<epoch>`, member "=" + artist, score −plays (the
 * artist ranking: count descending, ties by artist ascending), and `K|s<epoch>`,
 * member song_id, score the artist's numeric id, so an artist's distinct tracks
 * in K are one ZCOUNT id id. Window companions are ZUNIONSTOREs of their
 * sources' (SUM for plays, MIN for the ids, which agree). The artist of a song
 * is the one the aggregator last wrote to the tracks table, recorded in the
 * hash `sa` in the same order; a song counted before that (or only rebuilt from
 * the counters) gets its tracks-table artist when a day set is built. When the
 * aggregator sees a song's artist change, it starts a new epoch: every artist
 * companion of the old one is abandoned (it expires unread) and rebuilt from
 * the counters on the next artist read — exact, and rare.
 */

/** In `increment`'s artists: keep the artist the sets know for this song (a chart row counted under another source's id). */
export const UNKNOWN_ARTIST = '\u0000';

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

export interface RankedArtist {
  artist: string;
  listen_count: number;
  /** distinct tracks of the artist in the window */
  track_count: number;
}

export interface RankedArtistPage {
  total: number;
  rows: RankedArtist[];
}

/**
 * Reads the counters of one (scope, day), the exact source a day set is built from, as (song, plays)
 * rows streamed page by page; a song may come more than once (a global day's shards), its plays add up.
 */
export type DayLoader = (scope: string, day: string) => AsyncIterable<[string, number]>;

/** The artist ("" when unknown) of songs the ranked sets have never seen counted: their tracks-table artist. */
export type ArtistLoader = (songIds: string[]) => Promise<Map<string, string>>;

/** The sets' sources of what they need: counters per (scope, day), and the artists of songs. */
export interface RankedLoaders {
  day: DayLoader;
  artists: ArtistLoader;
}


const DEFAULT_BUILD_CONCURRENCY = 4;
const DEFAULT_BUILD_CHUNK = 2_000;
const DEFAULT_BUILD_LOOKUPS = 4;

export interface RankedSetsOptions {
  /** idle lifetime of day and window sets (default 1 h): an unread window costs nothing after it */
  ttlMs?: number;
  /** how long one step of a build from Cassandra may take before its marker lapses (default 60 s) */
  buildMs?: number;
  /**
   * day sets built from Cassandra at once in this process (default 4): each holds a chunk of its day's
   * counters in memory (`buildChunk` songs), so cold reads of many days or users queue here
   */
  buildConcurrency?: number;
  /** songs per step of a build (default 2 000): what a build holds in memory and sends to Redis at once */
  buildChunk?: number;
  /**
   * artist look-ups (of up to `buildChunk` songs each) a build keeps in flight while it streams its counters
   * (default 4): what it holds beyond the chunk being staged
   */
  buildLookups?: number;
}

/** Day and window sorted sets in Redis: see the module comment. */
export class RankedSets {
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly buildMs: number;
  /** builds in flight in this process, one per day set */
  private readonly building = new Map<string, Promise<boolean>>();
  private readonly builds: Semaphore;
  private readonly buildChunk: number;
  private readonly buildLookups: number;

  constructor(
    private readonly redis: Redis,
    keyspace: string,
    opts: RankedSetsOptions = {},
  ) {
    this.prefix = redisNames(keyspace).rankedPrefix;
    this.ttlMs = opts.ttlMs ?? 3_600_000;
    this.buildMs = opts.buildMs ?? 60_000;
    this.builds = new Semaphore(opts.buildConcurrency ?? DEFAULT_BUILD_CONCURRENCY);
    this.buildChunk = Math.max(1, opts.buildChunk ?? DEFAULT_BUILD_CHUNK);
    this.buildLookups = Math.max(1, opts.buildLookups ?? DEFAULT_BUILD_LOOKUPS);
  }

  private dayKey(scope: string, day: string): string {
    return `${this.prefix}d:${scope}:${day}`;
  }

  private async eval(s: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    // a Redis that lost its connection fails at once rather than queueing the call
    if (['reconnecting', 'close', 'end'].includes(this.redis.status)) throw new Error(`redis is ${this.redis.status}`);
    try {
      // one array, not spread arguments: a day set of 100 000 songs is 200 000 arguments, past what a JS call can take
      return await this.redis.call('EVALSHA', [s.sha, keys.length, ...keys, ...args]);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return this.redis.call('EVAL', [s.text, keys.length, ...keys, ...args]);
    }
  }

  /**
   * The aggregator's increments (positive, new plays only), after the counters were written,
   * with the artist of every song (as written to the tracks table; "" when none).
   */
  async increment(groups: ScopeDayPlays[], artists: ReadonlyMap<string, string>): Promise<void> {
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
      for (const [song, n] of g.plays) args.push(song, n, artists.get(song) ?? '');
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
   * The track ranking of `target` over the days `from`..`to` (newest first in `days`),
   * rows `offset`..`offset+limit−1` (limit −1: all) and the exact total.
   * Day sets not in Redis are built from the loaders.
   */
  async page(target: RankedTarget, win: RankedWindow, offset: number, limit: number, load: RankedLoaders): Promise<RankedPage> {
    const r = await this.read(target, win, offset, limit, false, load);
    const flat = r[2] as string[];
    const rows: RankedRow[] = [];
    for (let i = 0; i < flat.length; i += 2) if (flat[i] !== '') rows.push({ song_id: flat[i]!, listen_count: -Number(flat[i + 1]) });
    return { total: Number(r[1]), rows };
  }

  /** The artist ranking of `target` over the window: plays summed per artist, ties by artist ascending, with each artist's distinct tracks. */
  async artistPage(target: RankedTarget, win: RankedWindow, offset: number, limit: number, load: RankedLoaders): Promise<RankedArtistPage> {
    const r = await this.read(target, win, offset, limit, true, load);
    const flat = r[2] as string[];
    const tracks = r[3] as number[];
    const rows: RankedArtist[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      if (flat[i] !== '') rows.push({ artist: flat[i]!.slice(1), listen_count: -Number(flat[i + 1]), track_count: Number(tracks[rows.length]) });
    }
    return { total: Number(r[1]), rows };
  }

  private async read(target: RankedTarget, win: RankedWindow, offset: number, limit: number, artists: boolean, load: RankedLoaders): Promise<unknown[]> {
    const windowKey = (scope: string): string => `${this.prefix}w:${scope}:${win.from}:${win.to}`;
    const scopes = 'scope' in target ? [target.scope] : [...new Set(target.scopes)].sort();
    const ranked = 'viewer' in target ? this.friendsKey(target.viewer, scopes, win) : windowKey(scopes[0]!);
    const head = [this.prefix, this.ttlMs, offset, limit, artists ? 1 : 0];
    // the window exists (the usual case): it alone answers, whatever it was made from
    let r = (await this.eval(SCRIPTS.readWindow, [], [...head, ranked])) as [string, ...unknown[]];
    if (r[0] === 'renew') r = (await this.eval(SCRIPTS.readWindow, [], [...head, ranked, ...scopes])) as [string, ...unknown[]];
    if (r[0] === 'ok') return r;
    const specs: Array<Array<string | number>> = [];
    const dayOf = new Map<string, ScopeDay>();
    for (const s of scopes) {
      specs.push([windowKey(s), win.from, win.to, win.days.length, ...win.days.map((d) => this.dayKey(s, d)), 1, s]);
      for (const d of win.days) dayOf.set(this.dayKey(s, d), { scope: s, day: d });
    }
    if ('viewer' in target) specs.push([ranked, win.from, win.to, scopes.length, ...scopes.map(windowKey), scopes.length, ...scopes]);
    const args = [...head, specs.length, ...specs.flat()];
    for (let attempt = 0; ; attempt++) {
      const r = (await this.eval(SCRIPTS.read, [], args)) as [string, ...unknown[]];
      if (r[0] === 'ok') return r;
      if (attempt >= 5) throw new Error('ranked sets: day sets kept changing while they were built');
      const missing = (r[1] as string[]).map((k) => dayOf.get(k)!);
      await Promise.all(missing.map((m) => this.build(m.scope, m.day, load)));
    }
  }

  /** The friends window of a viewer: one per (viewer, followed list, window), so a changed list is a new set. */
  private friendsKey(viewer: string, sortedScopes: string[], win: RankedWindow): string {
    const hash = createHash('sha1').update(sortedScopes.join('\n')).digest('hex').slice(0, 16);
    return `${this.prefix}f:${viewer}:${hash}:${win.from}:${win.to}`;
  }

  /** Build one day set from the counters (once per process at a time); false when an increment raced it. */
  private build(scope: string, day: string, load: RankedLoaders): Promise<boolean> {
    const key = this.dayKey(scope, day);
    let p = this.building.get(key);
    if (!p) {
      // the build's marker is set inside buildNow, so time spent queued here does not count against buildMs
      p = this.builds.run(() => this.buildNow(scope, day, load)).finally(() => this.building.delete(key));
      this.building.set(key, p);
    }
    return p;
  }

  /**
   * A day set from the counters in bounded steps, so a build holds a few chunks in memory, not the day:
   * the counters streamed into a staging set of the build's own (a song that comes once per shard is
   * summed there); each staging step names the songs whose artist the sets do not know, looked up in the
   * tracks table while the counters stream on (up to `buildLookups` look-ups in flight) and passed to a
   * later step; then the staged songs' artists ranked chunk by chunk, then the staged sets put in place
   * in one step. Any increment or drop of the day in between deletes the build's marker: the build
   * stores nothing and says so.
   */
  private async buildNow(scope: string, day: string, load: RankedLoaders): Promise<boolean> {
    const dayKey = this.dayKey(scope, day);
    const marker = `${this.prefix}b:${scope}:${day}`;
    const token = randomUUID();
    const staging = `${this.prefix}t:${token}`;
    const keys = [marker, staging, `${staging}|a`, `${staging}|s`];
    const epoch = await this.eval(SCRIPTS.begin, [dayKey, marker], [this.prefix, token, this.buildMs]);
    if (epoch === 0) return true;
    try {
      return await this.stageAndFinish(scope, day, load, token, keys, epoch as string);
    } catch (err) {
      // a failed step (Cassandra, a look-up) leaves nothing staged behind: the keys are this build's own
      await this.redis.del(...keys.slice(1)).catch(() => undefined);
      throw err;
    }
  }

  private async stageAndFinish(scope: string, day: string, load: RankedLoaders, token: string, keys: string[], epoch: string): Promise<boolean> {
    const [marker, staging] = keys as [string, string];
    const lookups = new ArtistLookups(load.artists, this.buildChunk);
    let rows: Array<string | number> = [];
    const stage = async (): Promise<boolean> => {
      const found = lookups.take();
      if (rows.length === 0 && found.length === 0) return true;
      const r = (await this.eval(SCRIPTS.stage, [marker, staging], [this.prefix, token, this.buildMs, found.length / 2, ...found, ...rows])) as 0 | [number, string[]];
      rows = [];
      lookups.sent(found);
      if (r === 0) return false;
      if (r[1].length) {
        await lookups.settle(this.buildLookups - 1);
        lookups.ask(r[1]);
      }
      return true;
    };
    for await (const [song, n] of load.day(scope, day)) {
      if (n === 0) continue;
      rows.push(song, n);
      if (rows.length >= 2 * this.buildChunk && !(await stage())) return false;
    }
    if (!(await stage())) return false;
    await lookups.settle(0);
    if (!(await stage())) return false;
    for (let from = 0, artists: string[] = []; ; ) {
      const r = (await this.eval(SCRIPTS.rankArtists, keys, [this.prefix, token, this.buildMs, from, this.buildChunk, artists.length / 2, ...artists])) as 0 | [string, unknown];
      if (r === 0) return false;
      if (r[0] === 'missing') {
        // songs the staging steps had looked up, whose artists Redis lost since (a restart): the tracks table's again
        const unknown = r[1] as string[];
        const found = await load.artists(unknown);
        artists = unknown.flatMap((s) => [s, found.get(s) ?? '']);
        continue;
      }
      artists = [];
      if ((r[1] as number) < this.buildChunk) break;
      from += this.buildChunk;
    }
    return (await this.eval(SCRIPTS.finish, [...keys, this.dayKey(scope, day)], [this.prefix, token, this.ttlMs, epoch])) === 1;
  }
}

/**
 * The tracks-table look-ups of one build: songs asked for (each once while its answer is not yet
 * in Redis), look-ups in flight, and the (song, artist) pairs found, waiting for the next staging step.
 */
class ArtistLookups {
  private found: string[] = [];
  /** songs looked up or being looked up whose artist is not in Redis yet */
  private readonly asked = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private failed = false;
  private failure: unknown;

  constructor(
    private readonly load: ArtistLoader,
    private readonly chunk: number,
  ) {}

  /** Look up the artists of these songs (those not asked for already), `chunk` songs a look-up. */
  ask(songs: string[]): void {
    const todo = songs.filter((s) => !this.asked.has(s));
    for (const s of todo) this.asked.add(s);
    for (let i = 0; i < todo.length; i += this.chunk) {
      const part = todo.slice(i, i + this.chunk);
      const p: Promise<void> = this.load(part)
        .then(
          (m) => {
            for (const s of part) this.found.push(s, m.get(s) ?? '');
          },
          (err: unknown) => {
            if (this.failed) return;
            this.failed = true;
            this.failure = err;
          },
        )
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** Wait until at most `max` look-ups are in flight; a failed look-up fails the build. */
  async settle(max: number): Promise<void> {
    while (this.inFlight.size > max) await Promise.race(this.inFlight);
    if (this.failed) throw this.failure;
  }

  /** The (song, artist) pairs found since the last call, flat. */
  take(): string[] {
    if (this.failed) throw this.failure;
    const f = this.found;
    this.found = [];
    return f;
  }

  /** These pairs are in Redis now: their songs need no look-up any more. */
  sent(pairs: string[]): void {
    for (let i = 0; i < pairs.length; i += 2) this.asked.delete(pairs[i]!);
  }
}

/** The window a read ranks: its first and last day and its days. */
export interface RankedWindow {
  from: string;
  to: string;
  days: readonly string[];
}
