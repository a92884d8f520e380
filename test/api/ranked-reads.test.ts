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
  day: async (scope, day) => {
    dayLoads++;
    return new Map(counters.get(`${scope}|${day}`) ?? []);
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
