import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiServer } from '../../engine/api/server';
import { redisNames } from '../../engine/shared/stats';
import { RankedSets } from '../../engine/shared/ranked-sets';
import { FOLLOWED_TTL_MS } from '../../engine/api/topk-service';
import { TrackStore } from '../../engine/shared/store/tracks';
import { apiServer, DAY_MS, dayStartMs, expectedTop, uid, useApiTestClients, writeListens } from './helpers';
import type { TestListen } from './helpers';

const t = useApiTestClients();
let server: ApiServer;
const all: TestListen[] = [];
const now = Date.now();
const user = uid('alice');
const bob = uid('bob');
const carol = uid('carol');

/** Deterministic pseudo-random listens over `spanDays` days ending today. */
function makeListens(userId: string, n: number, spanDays: number, seed: number): TestListen[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: TestListen[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const daysAgo = Math.floor(rnd() * spanDays);
    const song = `song-${String(Math.floor(rnd() * rnd() * 12)).padStart(2, '0')}`;
    const start = dayStartMs(now, daysAgo);
    const maxOffset = daysAgo === 0 ? Math.max(1, now - start) : DAY_MS;
    const at = start + Math.floor(rnd() * maxOffset);
    if (seen.has(`${at}|${song}`)) continue;
    seen.add(`${at}|${song}`);
    out.push({ user_id: userId, listened_at: at, song_id: song, title: `Title ${song}`, artist: `Artist ${Number(song.slice(5)) % 4}` });
  }
  return out;
}

const auth = () => ({ authorization: `Bearer ${t.config.apiToken}` });
/** counts the calls of a TopkService method (calling through) */
const ctxSpy = (m: 'seed' | 'page', seen: Record<'seed' | 'page', number>) => {
  const orig = server.ctx.topk[m].bind(server.ctx.topk) as (...a: unknown[]) => unknown;
  return vi.spyOn(server.ctx.topk, m).mockImplementation(((...a: unknown[]) => {
    seen[m]++;
    return orig(...a);
  }) as never);
};
const inWindow = (days: number) => (l: TestListen) => l.listened_at >= dayStartMs(now, days - 1);

/** Writes the listens (raw, counters, ranked sets) and keeps them for the global checks. */
async function store(listens: TestListen[]): Promise<void> {
  await writeListens(t.db, listens, new RankedSets(t.redis, t.config.keyspace));
  all.push(...listens);
}

beforeAll(async () => {
  const listens = [...makeListens(user, 220, 9, 7), ...makeListens(bob, 120, 7, 11), ...makeListens(carol, 80, 7, 13)];
  await store(listens);
  await t.db.execute('INSERT INTO user_follows (user_id, followed_id) VALUES (?, ?)', [user, bob], { prepare: true });
  await t.db.execute('INSERT INTO user_follows (user_id, followed_id) VALUES (?, ?)', [user, carol], { prepare: true });
  server = await apiServer(t);
}, 120_000);

afterAll(() => server?.close());

describe('GET /users/{user_id}/topk (seed)', () => {
  it('matches an independent computation for every window, with titles and ranks', async () => {
    for (const days of [1, 3, 7]) {
      for (const k of [1, 5, 1000]) {
        const res = await server.app.inject({ url: `/users/${user}/topk?days=${days}&k=${k}&cache=bypass`, headers: auth() });
        expect(res.statusCode).toBe(200);
        const body = res.json();
        const want = expectedTop(all, (l) => l.user_id === user && inWindow(days)(l)).slice(0, k);
        expect(body).toMatchObject({ user_id: user, days, k, cached: false });
        expect(body.results.map((r: { song_id: string; listen_count: number }) => ({ song_id: r.song_id, listen_count: r.listen_count }))).toEqual(want);
        body.results.forEach((r: { rank: number; title: string; artist: string; song_id: string }, i: number) => {
          expect(r.rank).toBe(i + 1);
          expect(r.title).toBe(`Title ${r.song_id}`);
          expect(r.artist).toMatch(/^Artist \d$/);
        });
      }
    }
  });

  it('defaults to days=7, k=10', async () => {
    const res = await server.app.inject({ url: `/users/${user}/topk?cache=bypass`, headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ days: 7, k: 10 });
    expect(res.json().results).toHaveLength(Math.min(10, expectedTop(all, (l) => l.user_id === user && inWindow(7)(l)).length));
  });

  it('answers 200 with [] for an unknown user', async () => {
    const res = await server.app.inject({ url: `/users/${uid('nobody')}/topk`, headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([]);
  });

  it.each([
    ['days=0', 'days'],
    ['days=8', 'days'],
    ['days=1.5', 'days'],
    ['days=abc', 'days'],
    ['days=-1', 'days'],
    ['k=0', 'k'],
    ['k=1001', 'k'],
    ['k=2.5', 'k'],
    ['k=ten', 'k'],
    ['k=', 'k'],
  ])('400 for %s naming the field', async (qs, field) => {
    const res = await server.app.inject({ url: `/users/${user}/topk?${qs}`, headers: auth() });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'invalid_request', field } });
    expect(typeof res.json().error.message).toBe('string');
  });

  it('400 for a malformed user id', async () => {
    const res = await server.app.inject({ url: `/users/${encodeURIComponent('bad user!')}/topk`, headers: auth() });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('user_id');
  });
});

describe('cache tiers', () => {
  it('MISS, then HIT from the LRU, then HIT from Redis in a fresh process', async () => {
    const u = uid('cache');
    const listens = makeListens(u, 30, 3, 21);
    await store(listens);
    const url = `/users/${u}/topk?days=3&k=5`;
    const first = await server.app.inject({ url, headers: auth() });
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.json().cached).toBe(false);
    const second = await server.app.inject({ url, headers: auth() });
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.json().cached).toBe(true);
    expect(second.json().results).toEqual(first.json().results);

    // a second server has an empty LRU: its hit comes from Redis. The first server's Redis write may still be
    // on its way (a slow one times out on the client and lands later), so wait for it to be there
    const stored = `${redisNames(t.config.keyspace).cachePrefix}seed:*:${u}`;
    await vi.waitFor(async () => expect(await t.redis.keys(stored)).toHaveLength(1), { timeout: 15_000, interval: 100 });
    const other = await apiServer(t);
    try {
      // its first request pays the process's one-time costs, which must not land inside the 250 ms Redis read below
      await other.app.inject({ url: '/healthz' });
      const third = await other.app.inject({ url, headers: auth() });
      expect(third.headers['x-cache']).toBe('HIT');
      const metrics = await other.app.inject({ url: '/metrics', headers: auth() });
      expect(metrics.body).toMatch(/topk_cache_requests_total\{tier="redis"\} 1/);
    } finally {
      await other.close();
    }
    const metrics = await server.app.inject({ url: '/metrics', headers: auth() });
    expect(metrics.body).toMatch(/topk_cache_requests_total\{tier="lru"\} [1-9]/);
    expect(metrics.body).toMatch(/topk_cache_requests_total\{tier="miss"\} [1-9]/);

    // bypass never reads or writes the cache
    const bypass = await server.app.inject({ url, headers: { ...auth(), 'cache-control': 'no-cache' } });
    expect(bypass.headers['x-cache']).toBe('MISS');
  });

  it('over HTTP a repeated hit is sent by the hit lane with the bytes and headers Fastify sent, until an invalidation drops it', async () => {
    const u = uid('lane');
    await store(makeListens(u, 30, 3, 31));
    const base = await server.listen(0);
    const get = async (path: string) => {
      const res = await fetch(base + path, { headers: auth() });
      const headers = Object.fromEntries([...res.headers].filter(([h]) => h !== 'date'));
      return { status: res.status, headers, text: await res.text() };
    };
    const seen = { seed: 0, page: 0 };
    const seed = ctxSpy('seed', seen);
    const page = ctxSpy('page', seen);
    try {
      for (const path of [`/users/${u}/topk?days=3&k=5`, `/v1/users/${u}/top/tracks?days=3&limit=4`, `/v1/users/${u}/top/artists?days=3`]) {
        const miss = await get(path);
        expect(miss.headers['x-cache']).toBe('MISS');
        const byFastify = await get(path); // the first hit: serialised on the cache entry, URL remembered
        expect(byFastify.headers['x-cache']).toBe('HIT');
        const before = seen.seed + seen.page;
        const byLane = await get(path);
        expect(seen.seed + seen.page).toBe(before); // no handler ran
        expect(byLane).toEqual(byFastify);
        expect(JSON.parse(byLane.text)).toEqual({ ...JSON.parse(miss.text), cached: true });
      }
      // a counted listen invalidates the user's answers: the lane hands the URL back to the route
      const path = `/users/${u}/topk?days=3&k=5`;
      await store([{ user_id: u, listened_at: now - 500, song_id: 'zz-lane-new', title: 'New', artist: 'Someone' }, { user_id: u, listened_at: now - 400, song_id: 'zz-lane-new', title: 'New', artist: 'Someone' }]);
      await server.ctx.cache.invalidate([u]);
      const after = await get(path);
      expect(after.headers['x-cache']).toBe('MISS');
      const want = expectedTop(all, (l) => l.user_id === u && inWindow(3)(l)).slice(0, 5);
      expect(JSON.parse(after.text).results.map((r: { song_id: string; listen_count: number }) => ({ song_id: r.song_id, listen_count: r.listen_count }))).toEqual(want);
    } finally {
      seed.mockRestore();
      page.mockRestore();
    }
  });

  it('new listens published on topk:invalidate show up at once', async () => {
    const u = uid('fresh');
    const base = makeListens(u, 20, 2, 5);
    await store(base);
    const url = `/users/${u}/topk?days=2&k=3`;
    await server.app.inject({ url, headers: auth() });
    expect((await server.app.inject({ url, headers: auth() })).headers['x-cache']).toBe('HIT');

    // a new favourite: 10 plays of one song today
    const extra: TestListen[] = Array.from({ length: 10 }, (_, i) => ({
      user_id: u,
      listened_at: now - 1000 * (i + 1),
      song_id: 'zz-new-favourite',
      title: 'New',
      artist: 'Someone',
    }));
    await store(extra);
    await t.redis.publish(redisNames(t.config.keyspace).invalidate, JSON.stringify({ users: [u], days: [] }));
    let res = await server.app.inject({ url, headers: auth() });
    for (let i = 0; i < 50 && res.headers['x-cache'] === 'HIT'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      res = await server.app.inject({ url, headers: auth() });
    }
    expect(res.headers['x-cache']).toBe('MISS');
    expect(res.json().results[0]).toMatchObject({ song_id: 'zz-new-favourite', listen_count: 10, rank: 1 });
    expect(res.json().results.map((r: { song_id: string }) => r.song_id)).toEqual(expectedTop(all, (l) => l.user_id === u && inWindow(2)(l)).slice(0, 3).map((r) => r.song_id));
  });
});

describe('v1 Top-K', () => {
  type Entry = { song_id: string; listen_count: number; rank: number; title: string };

  it('user top tracks with days, limit/offset, total and window bounds', async () => {
    const want = expectedTop(all, (l) => l.user_id === user && inWindow(5)(l));
    const res = await server.app.inject({ url: `/v1/users/${user}/top/tracks?days=5&limit=4&offset=2`, headers: auth() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ user_id: user, kind: 'tracks', days: 5, limit: 4, offset: 2, total: want.length, from_ts: dayStartMs(now, 4), to_ts: dayStartMs(now, -1) });
    expect(new Date(body.last_updated).getTime()).toBeGreaterThan(now - 60_000);
    expect(body.results.map((r: Entry) => [r.song_id, r.listen_count, r.rank])).toEqual(want.slice(2, 6).map((w, i) => [w.song_id, w.listen_count, i + 3]));
  });

  it('user top tracks with from/to', async () => {
    const from = new Date(dayStartMs(now, 6)).toISOString().slice(0, 10);
    const to = new Date(dayStartMs(now, 2)).toISOString().slice(0, 10);
    const res = await server.app.inject({ url: `/v1/users/${user}/top/tracks?from=${from}&to=${to}&limit=1000`, headers: auth() });
    expect(res.statusCode).toBe(200);
    const want = expectedTop(all, (l) => l.user_id === user && l.listened_at >= dayStartMs(now, 6) && l.listened_at < dayStartMs(now, 1));
    expect(res.json().results.map((r: Entry) => [r.song_id, r.listen_count])).toEqual(want.map((w) => [w.song_id, w.listen_count]));
    expect(res.json()).toMatchObject({ from, to, days: 5 });
  });

  it('user top artists', async () => {
    const res = await server.app.inject({ url: `/v1/users/${user}/top/artists?days=7&limit=10`, headers: auth() });
    expect(res.statusCode).toBe(200);
    const counts: Record<string, { n: number; songs: Set<string> }> = {};
    for (const l of all) {
      if (l.user_id !== user || !inWindow(7)(l)) continue;
      const a = (counts[l.artist] ??= { n: 0, songs: new Set() });
      a.n++;
      a.songs.add(l.song_id);
    }
    const want = Object.entries(counts)
      .map(([artist, a]) => ({ artist, listen_count: a.n, track_count: a.songs.size }))
      .sort((a, b) => b.listen_count - a.listen_count || (a.artist < b.artist ? -1 : 1));
    expect(res.json().results.map((r: { artist: string; listen_count: number; track_count: number }) => ({ artist: r.artist, listen_count: r.listen_count, track_count: r.track_count }))).toEqual(want);
    expect(res.json().total).toBe(want.length);
  });

  it('global top tracks are exact sums over all users', async () => {
    const res = await server.app.inject({ url: '/v1/top/tracks?days=7&limit=1000&cache=bypass', headers: auth() });
    expect(res.statusCode).toBe(200);
    const want = expectedTop(all, inWindow(7));
    expect(res.json().accuracy).toBe('exact');
    expect(res.json().results.map((r: Entry) => [r.song_id, r.listen_count])).toEqual(want.map((w) => [w.song_id, w.listen_count]));
    const artists = await server.app.inject({ url: '/v1/top/artists?days=1', headers: auth() });
    expect(artists.statusCode).toBe(200);
    expect(artists.json().results.reduce((s: number, r: { listen_count: number }) => s + r.listen_count, 0)).toBe(all.filter(inWindow(1)).length);
  });

  it('friends top tracks sum the followed users only', async () => {
    const res = await server.app.inject({ url: `/v1/users/${user}/friends/top/tracks?days=7&limit=1000`, headers: auth() });
    expect(res.statusCode).toBe(200);
    const want = expectedTop(all, (l) => (l.user_id === bob || l.user_id === carol) && inWindow(7)(l));
    expect(res.json().results.map((r: Entry) => [r.song_id, r.listen_count])).toEqual(want.map((w) => [w.song_id, w.listen_count]));
    const none = await server.app.inject({ url: `/v1/users/${bob}/friends/top/tracks`, headers: auth() });
    expect(none.json()).toMatchObject({ results: [], total: 0 });
  });

  it('a new follow shows in the friends ranking within FOLLOWED_TTL_MS (the followed list is read at most that often)', async () => {
    const url = `/v1/users/${bob}/friends/top/tracks?days=7&limit=1000&cache=bypass`;
    expect((await server.app.inject({ url, headers: auth() })).json()).toMatchObject({ results: [], total: 0 });
    await t.db.execute('INSERT INTO user_follows (user_id, followed_id) VALUES (?, ?)', [bob, carol], { prepare: true });
    const t0 = performance.now();
    const want = expectedTop(all, (l) => l.user_id === carol && inWindow(7)(l)).map((w) => [w.song_id, w.listen_count]);
    let got: unknown[] = [];
    while (performance.now() - t0 < FOLLOWED_TTL_MS + 1_000) {
      got = (await server.app.inject({ url, headers: auth() })).json().results.map((r: Entry) => [r.song_id, r.listen_count]);
      if (got.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(got).toEqual(want);
    await t.db.execute('DELETE FROM user_follows WHERE user_id = ? AND followed_id = ?', [bob, carol], { prepare: true });
  });

  it.each([
    ['/v1/users/U/top/tracks?days=0', 'days'],
    ['/v1/users/U/top/tracks?days=8', 'days'],
    ['/v1/users/U/top/tracks?limit=0', 'limit'],
    ['/v1/users/U/top/tracks?limit=1001', 'limit'],
    ['/v1/users/U/top/tracks?offset=-1', 'offset'],
    ['/v1/users/U/top/tracks?from=2024-01-01', 'to'],
    ['/v1/users/U/top/tracks?to=2024-01-01', 'from'],
    ['/v1/users/U/top/tracks?from=2024-01-05&to=2024-01-01', 'from'],
    ['/v1/users/U/top/tracks?from=2024-01-01&to=2024-01-31', 'from'],
    ['/v1/users/U/top/tracks?from=2024-02-30&to=2024-03-01', 'from'],
    ['/v1/users/U/top/tracks?from=yesterday&to=2024-03-01', 'from'],
    ['/v1/users/U/top/tracks?days=3&from=2024-01-01&to=2024-01-02', 'days'],
    ['/v1/users/U/top/tracks?cache=maybe', 'cache'],
    ['/v1/users/U/top/albums', 'kind'],
    ['/v1/top/tracks?limit=abc', 'limit'],
    ['/v1/top/songs', 'kind'],
    ['/v1/users/U/friends/top/tracks?days=99', 'days'],
  ])('400 for %s', async (url, field) => {
    const res = await server.app.inject({ url: url.replace('/U/', `/${user}/`), headers: auth() });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_request', field });
  });
});

describe('GET /v1/users/{id}/listens', () => {
  it('pages through raw listens newest first', async () => {
    const want = all
      .filter((l) => l.user_id === bob)
      .sort((a, b) => b.listened_at - a.listened_at || (a.song_id < b.song_id ? -1 : 1))
      .map((l) => [l.listened_at, l.song_id]);
    const got: Array<[number, string]> = [];
    let before: number | null | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await server.app.inject({ url: `/v1/users/${bob}/listens?limit=50${before ? `&before=${before}` : ''}`, headers: auth() });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      for (const l of body.listens) got.push([l.listened_at, l.song_id]);
      before = body.next_before;
      if (!before) break;
    }
    expect(got).toEqual(want);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['before=soon', 'before'],
    ['before=-5', 'before'],
  ])('400 for %s', async (qs, field) => {
    const res = await server.app.inject({ url: `/v1/users/${bob}/listens?${qs}`, headers: auth() });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
  });
});

describe('track metadata reads', () => {
  it('an id the tracks table lacks is asked for once, not on every answer that names it; a known one stays known', async () => {
    const store = new TrackStore(t.db);
    const known = uid('song-known');
    const unknown = uid('song-unknown');
    await store.upsert([{ song_id: known, title: 'Known', artist: 'Someone' }], 1);
    const execute = vi.spyOn(t.db, 'execute');
    try {
      const first = await store.get([known, unknown], 4);
      expect([...first.keys()]).toEqual([known]);
      expect(first.get(known)).toMatchObject({ title: 'Known', artist: 'Someone' });
      expect(execute).toHaveBeenCalledTimes(1);
      const again = await store.get([unknown, known], 4);
      expect([...again.keys()]).toEqual([known]);
      expect(execute).toHaveBeenCalledTimes(1);
    } finally {
      execute.mockRestore();
    }
  });
});
