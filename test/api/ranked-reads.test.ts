/**
 * Reads of the ranked sets (engine/shared/ranked-sets.ts) against a real Redis:
 * what a read needs once its window exists. The counters here are a map the
 * loaders read (the sets only ever see them through the loaders and the
 * increments), so every answer is checked against a ranking of that map.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedis } from '../../engine/shared/redis';
import { RankedSets, userScope } from '../../engine/shared/ranked-sets';
import type { RankedLoaders, RankedWindow } from '../../engine/shared/ranked-sets';
import { redisNames } from '../../engine/shared/stats';
import { testConfig, testLog, uid } from '../helpers';

const TTL = 60_000;
const win: RankedWindow = { from: '2026-01-01', to: '2026-01-03', days: ['2026-01-03', '2026-01-02', '2026-01-01'] };
const keyspace = `rr_${uid('k').replace(/\W/g, '_')}`;
const prefix = redisNames(keyspace).rankedPrefix;
let redis: Redis;

/** counters per (scope, day) → song → plays; the exact source */
const counters = new Map<string, Map<string, number>>();
let dayLoads = 0;
const loaders: RankedLoaders = {
  day: async function* (scope, day) {
    dayLoads++;
    yield* counters.get(`${scope}|${day}`) ?? [];
  },
  artists: async (ids) => new Map(ids.map((id) => [id, `artist of ${id}`])),
};

function add(scope: string, day: string, song: string, n: number): void {
  const m = counters.get(`${scope}|${day}`) ?? new Map<string, number>();
  m.set(song, (m.get(song) ?? 0) + n);
  counters.set(`${scope}|${day}`, m);
}

/** The full ranking of these scopes over the window: count descending, ties by song_id. */
function ranking(scopes: string[]): Array<{ song_id: string; listen_count: number }> {
  const sum = new Map<string, number>();
  for (const s of scopes) for (const d of win.days) for (const [song, n] of counters.get(`${s}|${d}`) ?? []) sum.set(song, (sum.get(song) ?? 0) + n);
  return [...sum]
    .map(([song_id, listen_count]) => ({ song_id, listen_count }))
    .sort((a, b) => b.listen_count - a.listen_count || (a.song_id < b.song_id ? -1 : 1));
}

async function keys(pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

beforeAll(() => {
  redis = createRedis(testConfig(), testLog);
});

afterAll(async () => {
  const all = await keys('*');
  for (let i = 0; i < all.length; i += 500) await redis.del(...all.slice(i, i + 500));
  await redis.quit();
});

describe('ranked reads', () => {
  const friends = ['f1', 'f2', 'f3', 'f4'].map((f) => userScope(`${keyspace}-${f}`));
  const target = { viewer: `${keyspace}-viewer`, scopes: friends };

  beforeAll(() => {
    friends.forEach((s, i) => {
      for (const [j, d] of win.days.entries()) for (let t = 0; t < 30; t++) add(s, d, `song-${String((t * 7 + i + j) % 40).padStart(2, '0')}`, 1 + ((t * (i + 2)) % 5));
    });
  });

  it('a friends read whose window exists needs neither the followed users\' windows nor their day sets, and increments still reach it', async () => {
    const ranked = new RankedSets(redis, keyspace, { ttlMs: TTL });
    const first = await ranked.page(target, win, 0, -1, loaders);
    expect(first.rows).toEqual(ranking(friends));
    expect(dayLoads).toBe(friends.length * win.days.length);

    // what the friends window was made from goes away (expiry, eviction): its read does not need it
    const made = [...(await keys('w:*')), ...(await keys('d:*'))];
    expect(made.filter((k) => !k.includes('|')).length).toBe(friends.length * (1 + win.days.length));
    await redis.del(...made);
    const again = await ranked.page(target, win, 3, 5, loaders);
    expect(again).toEqual({ total: first.total, rows: first.rows.slice(3, 8) });
    expect(dayLoads).toBe(friends.length * win.days.length);

    // a followed user's new plays are counted into the friends window through the registry
    add(friends[2]!, win.days[1]!, 'song-99', 100);
    await ranked.increment([{ scope: friends[2]!, day: win.days[1]!, plays: new Map([['song-99', 100]]) }], new Map([['song-99', 'artist of song-99']]));
    const after = await ranked.page(target, win, 0, -1, loaders);
    expect(after.rows).toEqual(ranking(friends));
    expect(after.rows[0]).toEqual({ song_id: 'song-99', listen_count: 100 });
    expect(dayLoads).toBe(friends.length * win.days.length);
  });

  it('a read renews the window once half its idle lifetime is gone, and the registries naming it outlive it', async () => {
    const ranked = new RankedSets(redis, keyspace, { ttlMs: TTL });
    await ranked.page(target, win, 0, 10, loaders);
    const [fw] = await keys(`f:${target.viewer}:*`);
    expect(fw).toBeDefined();
    const regs = friends.map((s) => `${prefix}r:${s}`);

    // more than half left: the read leaves the lifetimes alone (no 50 PEXPIREs per friends read)
    await redis.pexpire(fw!, TTL - 1_000);
    await ranked.page(target, win, 0, 10, loaders);
    expect(await redis.pttl(fw!)).toBeLessThanOrEqual(TTL - 1_000);

    // less than half left: window renewed, every registry naming it kept for longer than the window
    await redis.pexpire(fw!, TTL / 4);
    for (const r of regs) await redis.pexpire(r, TTL / 4);
    await ranked.page(target, win, 0, 10, loaders);
    const left = await redis.pttl(fw!);
    expect(left).toBeGreaterThan(TTL - 5_000);
    for (const r of regs) expect(await redis.pttl(r)).toBeGreaterThan(left);
  });
});

describe('day set builds', () => {
  const day = win.days[0]!;
  const one: RankedWindow = { from: day, to: day, days: [day] };
  /** The artist ranking of (song → plays) with each song's artist: plays summed per artist, ties by artist. */
  const artistRanking = (plays: Map<string, number>, artistOf: (song: string) => string) => {
    const sum = new Map<string, { n: number; tracks: number }>();
    for (const [song, n] of plays) {
      const a = sum.get(artistOf(song)) ?? { n: 0, tracks: 0 };
      sum.set(artistOf(song), { n: a.n + n, tracks: a.tracks + 1 });
    }
    return [...sum]
      .map(([artist, v]) => ({ artist, listen_count: v.n, track_count: v.tracks }))
      .sort((a, b) => b.listen_count - a.listen_count || (a.artist < b.artist ? -1 : 1));
  };
  const ranked = (plays: Map<string, number>) =>
    [...plays].map(([song_id, listen_count]) => ({ song_id, listen_count })).sort((a, b) => b.listen_count - a.listen_count || (a.song_id < b.song_id ? -1 : 1));

  it('a day larger than a build step is built chunk by chunk: shards summed, sums ≤ 0 left out, artists fetched per chunk, each once, nothing staged left', async () => {
    const scope = `g-${uid('s')}`;
    // two "shards" of one global day: 60 songs each, 30 of them in both; some cancel out or go below zero
    const shards: Array<Array<[string, number]>> = [[], []];
    const want = new Map<string, number>();
    /** songs with plays in some shard: the ones whose artist is looked up (as its plays stream in, before the sum is known) */
    const played = new Set<string>();
    for (let i = 0; i < 90; i++) {
      const song = `t${String(i).padStart(3, '0')}`;
      const a = i < 60 ? 1 + ((i * 7) % 13) : 0;
      const b = i >= 30 ? (i % 10 === 0 ? -a : i % 15 === 1 ? -a - 2 : 1 + ((i * 3) % 11)) : 0;
      if (i < 60) shards[0]!.push([song, a]);
      if (i >= 30) shards[1]!.push([song, b]);
      if (a + b > 0) want.set(song, a + b);
      if (a > 0 || b > 0) played.add(song);
    }
    expect(want.size).toBeLessThan(90);
    const artistCalls: string[][] = [];
    const artistOf = (song: string): string => `artist ${Number(song.slice(1)) % 7}`;
    let streamed = 0;
    const load: RankedLoaders = {
      day: async function* () {
        for (const rows of shards) for (const r of rows) {
          streamed++;
          yield r;
        }
      },
      artists: async (ids) => {
        artistCalls.push(ids);
        return new Map(ids.map((id) => [id, artistOf(id)]));
      },
    };
    const sets = new RankedSets(redis, keyspace, { ttlMs: TTL, buildChunk: 8 });
    const page = await sets.page({ scope }, one, 0, -1, load);
    expect(page).toEqual({ total: want.size, rows: ranked(want) });
    expect(streamed).toBe(120);
    // the artists of the songs the sets had not seen, asked for one chunk at a time
    expect(artistCalls.length).toBeGreaterThan(1);
    for (const ids of artistCalls) expect(ids.length).toBeLessThanOrEqual(8);
    expect(new Set(artistCalls.flat())).toEqual(played);
    expect(artistCalls.flat().length).toBe(played.size);
    for (const song of want.keys()) expect(played.has(song)).toBe(true);
    expect(await sets.artistPage({ scope }, one, 0, -1, load)).toEqual({ total: 7, rows: artistRanking(want, artistOf) });
    expect(await keys('t:*')).toEqual([]);
  });

  it('the artists of songs the sets do not know are looked up while the counters stream on, several look-ups in flight', async () => {
    const scope = `g-${uid('s')}`;
    const songs = Array.from({ length: 48 }, (_, i) => `${scope}-s${String(i).padStart(2, '0')}`);
    const plays = new Map(songs.map((s, i) => [s, 1 + ((i * 5) % 9)]));
    const artistOf = (song: string): string => `artist ${Number(song.slice(-2)) % 5}`;
    let inFlight = 0;
    let peak = 0;
    let askedBeforeEnd = 0;
    const asked: string[][] = [];
    const load: RankedLoaders = {
      day: async function* () {
        for (const row of plays) {
          // a page boundary every 8 rows: the stream waits on I/O, as Cassandra's does
          if (Number(row[0].slice(-2)) % 8 === 0) await new Promise((r) => setTimeout(r, 5));
          yield row;
        }
        askedBeforeEnd = asked.length;
      },
      artists: async (ids) => {
        asked.push(ids);
        peak = Math.max(peak, ++inFlight);
        // a look-up is slower than a page: without overlap the build would wait for each in turn
        await new Promise((r) => setTimeout(r, 40));
        inFlight--;
        return new Map(ids.map((id) => [id, artistOf(id)]));
      },
    };
    const sets = new RankedSets(redis, keyspace, { ttlMs: TTL, buildChunk: 4, buildLookups: 3 });
    expect(await sets.page({ scope }, one, 0, -1, load)).toEqual({ total: plays.size, rows: ranked(plays) });
    // look-ups began while the counters still streamed, up to three at once, never more; each song once
    expect(askedBeforeEnd).toBeGreaterThan(1);
    expect(peak).toBe(3);
    expect(asked.flat().sort()).toEqual([...songs].sort());
    for (const ids of asked) expect(ids.length).toBeLessThanOrEqual(4);
    expect(await sets.artistPage({ scope }, one, 0, -1, load)).toEqual({ total: 5, rows: artistRanking(plays, artistOf) });
    expect(asked.flat().length).toBe(songs.length);
    expect(await keys('t:*')).toEqual([]);
  });

  it('a failed artist look-up fails the build, which stores nothing; the next read builds again', async () => {
    const scope = `g-${uid('s')}`;
    const plays = new Map(Array.from({ length: 20 }, (_, i) => [`${scope}-s${String(i).padStart(2, '0')}`, 1 + (i % 4)]));
    let fail = true;
    const load: RankedLoaders = {
      day: async function* () {
        yield* plays;
      },
      artists: async (ids) => {
        if (fail) throw new Error('tracks table unavailable');
        return new Map(ids.map((id) => [id, 'someone']));
      },
    };
    const sets = new RankedSets(redis, keyspace, { ttlMs: TTL, buildChunk: 4 });
    await expect(sets.page({ scope }, one, 0, -1, load)).rejects.toThrow('tracks table unavailable');
    expect(await keys(`d:${scope}:*`)).toEqual([]);
    expect(await keys('t:*')).toEqual([]);
    fail = false;
    expect(await sets.page({ scope }, one, 0, -1, load)).toEqual({ total: plays.size, rows: ranked(plays) });
  });

  it('an increment of the day while its set is built: the build stores nothing, the read builds again and counts it', async () => {
    const scope = userScope(uid('u'));
    for (let i = 0; i < 20; i++) add(scope, day, `s${String(i).padStart(2, '0')}`, 1 + (i % 6));
    const sets = new RankedSets(redis, keyspace, { ttlMs: TTL, buildChunk: 5 });
    let builds = 0;
    const load: RankedLoaders = {
      day: async function* (s, d) {
        builds++;
        const rows = [...(counters.get(`${s}|${d}`) ?? [])];
        for (const [j, r] of rows.entries()) {
          // the aggregator counts new plays of the day between two chunks of the first build
          if (builds === 1 && j === 12) {
            add(scope, day, 's03', 50);
            await sets.increment([{ scope, day, plays: new Map([['s03', 50]]) }], new Map([['s03', 'artist of s03']]));
          }
          yield r;
        }
      },
      artists: loaders.artists,
    };
    const page = await sets.page({ scope }, one, 0, -1, load);
    expect(builds).toBe(2);
    expect(page.rows).toEqual(ranked(counters.get(`${scope}|${day}`)!));
    expect(page.rows[0]).toEqual({ song_id: 's03', listen_count: 54 });
    expect(await keys('t:*')).toEqual([]);
  });

  it('an artist that changes while a day set is built: the day set is kept without artist companions, and an artist read rebuilds them with the new artist', async () => {
    const scope = userScope(uid('u'));
    const other = win.days[2]!;
    const sets = new RankedSets(redis, keyspace, { ttlMs: TTL, buildChunk: 4 });
    const artistOf = new Map<string, string>();
    for (let i = 0; i < 12; i++) {
      const song = `${scope}-s${String(i).padStart(2, '0')}`;
      add(scope, day, song, i === 0 ? 100 : 1 + (i % 5));
      artistOf.set(song, `artist ${i % 3}`);
    }
    const top = `${scope}-s00`;
    // the sets have seen the top song counted (on another day) under its first artist
    add(scope, other, top, 1);
    await sets.increment([{ scope, day: other, plays: new Map([[top, 1]]) }], new Map([[top, 'artist 0']]));
    let calls = 0;
    let changed = false;
    const load: RankedLoaders = {
      day: loaders.day,
      artists: async (ids) => {
        // the first chunk (the top song and three the sets have not seen) is ranked; while the build ranks
        // the second, the top song is counted again under a new artist
        if (++calls === 2) {
          changed = true;
          artistOf.set(top, 'artist renamed');
          add(scope, other, top, 1);
          await sets.increment([{ scope, day: other, plays: new Map([[top, 1]]) }], new Map([[top, 'artist renamed']]));
        }
        return new Map(ids.map((id) => [id, artistOf.get(id) ?? '']));
      },
    };
    const plays = counters.get(`${scope}|${day}`)!;
    expect((await sets.page({ scope }, one, 0, -1, load)).rows).toEqual(ranked(plays));
    expect(changed).toBe(true);
    const artists = await sets.artistPage({ scope }, one, 0, -1, load);
    expect(artists).toEqual({ total: 4, rows: artistRanking(plays, (s) => artistOf.get(s)!) });
    expect(artists.rows[0]).toEqual({ artist: 'artist renamed', listen_count: 100, track_count: 1 });
  });
});
