import { CountStore } from '../../engine/shared/store/counts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cassandra from 'cassandra-driver';
import { createRedis } from '../../engine/shared/redis';
import { Worker } from 'bullmq';
import { CRAWL_PREFIX } from '../../engine/crawler/crawl-queue';
import type { CrawlJobData } from '../../engine/crawler/crawl-queue';
import { CrawlService } from '../../engine/crawler/crawl-service';
import { until } from '../helpers/until';
import { ensureTopics } from '../../engine/shared/topics';
import type { ApiServer } from '../../engine/api/server';
import { RankedSets } from '../../engine/shared/ranked-sets';
import { apiServer, DAY_MS, dayStartMs, quietLog, uid, useApiTestClients, writeListens } from './helpers';
import type { TestListen } from './helpers';
import { redisNames } from '../../engine/shared/stats';

const t = useApiTestClients();
let crawl: CrawlService;
let server: ApiServer;
const now = Date.now();
const auth = () => ({ authorization: `Bearer ${t.config.apiToken}` });
const json = (payload: unknown) => ({ headers: { ...auth(), 'content-type': 'application/json' }, payload: JSON.stringify(payload) });

beforeAll(async () => {
  await ensureTopics(t.kafka, t.config);
  crawl = new CrawlService({ cassandra: t.db, redis: t.redis, kafka: t.kafka, config: t.config, log: quietLog, queueName: uid('topk-crawl-apitest') });
  server = await apiServer(t, { crawlService: crawl });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await crawl?.queue.obliterate({ force: true }).catch(() => undefined);
  await crawl?.close();
}, 60_000);

describe('users', () => {
  it('PUT creates (201) then updates (200); GET one and list', async () => {
    const u = uid('ann');
    const c = await server.app.inject({ method: 'PUT', url: `/v1/users/${u}`, ...json({ display_name: 'Ann' }) });
    expect(c.statusCode).toBe(201);
    expect(c.json()).toMatchObject({ user_id: u, display_name: 'Ann' });
    const up = await server.app.inject({ method: 'PUT', url: `/v1/users/${u}`, ...json({ display_name: 'Ann B' }) });
    expect(up.statusCode).toBe(200);
    expect(up.json().display_name).toBe('Ann B');
    expect(up.json().created_at).toBe(c.json().created_at);
    // the body is optional (CONTRACT.md: `{ "display_name"? }`; clients that PUT without one keep working), and the document says so
    const nobody = await server.app.inject({ method: 'PUT', url: `/v1/users/${uid('nobody')}`, headers: auth() });
    expect(nobody.statusCode).toBe(201);
    expect(nobody.json().display_name).toBeNull();
    const empty = await server.app.inject({ method: 'PUT', url: `/v1/users/${uid('nobody')}`, ...json({}) });
    expect(empty.statusCode).toBe(201);
    const got = await server.app.inject({ url: `/v1/users/${u}`, headers: auth() });
    expect(got.json()).toMatchObject({ user_id: u, display_name: 'Ann B' });
    const list = await server.app.inject({ url: '/v1/users', headers: auth() });
    expect(list.json().users.map((x: { user_id: string }) => x.user_id)).toContain(u);
    const missing = await server.app.inject({ url: `/v1/users/${uid('ghost')}`, headers: auth() });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'user_not_found', field: 'user_id' });
  });

  it.each([
    [{ display_name: 5 }, 'display_name'],
    [{ display_name: '' }, 'display_name'],
    [{ display_name: 'x'.repeat(201) }, 'display_name'],
    [{ nickname: 'x' }, 'nickname'],
    [[1, 2], 'body'],
  ])('PUT user 400 for %j', async (body, field) => {
    const res = await server.app.inject({ method: 'PUT', url: `/v1/users/${uid('v')}`, ...json(body) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
  });

  it('400 for a bad user id and a bad list limit', async () => {
    expect((await server.app.inject({ method: 'PUT', url: '/v1/users/-bad', headers: auth() })).json().error.field).toBe('user_id');
    expect((await server.app.inject({ url: '/v1/users?limit=0', headers: auth() })).json().error.field).toBe('limit');
  });
});

describe('sources, schedules, crawls, imports', () => {
  it('connect, list, schedule, crawl now, history, disconnect', async () => {
    const u = uid('src');
    const put = await server.app.inject({ method: 'PUT', url: `/v1/users/${u}/sources/simulator`, ...json({ seed: 3, listens_per_day: 50 }) });
    expect(put.statusCode).toBe(201);
    expect(put.json()).toMatchObject({ user_id: u, source: 'simulator', config: { seed: 3, listens_per_day: 50 } });
    expect(put.json().schedule.interval_seconds).toBeGreaterThan(0);
    const again = await server.app.inject({ method: 'PUT', url: `/v1/users/${u}/sources/simulator`, ...json({ seed: 3, listens_per_day: 50 }) });
    expect(again.statusCode).toBe(200);
    const lb = await server.app.inject({ method: 'PUT', url: `/v1/users/${u}/sources/listenbrainz`, ...json({ username: 'rob' }) });
    expect(lb.statusCode).toBe(201);
    // the user row was created on the way
    expect((await server.app.inject({ url: `/v1/users/${u}`, headers: auth() })).statusCode).toBe(200);

    const list = await server.app.inject({ url: `/v1/users/${u}/sources`, headers: auth() });
    expect(list.json().sources.map((s: { source: string }) => s.source).sort()).toEqual(['listenbrainz', 'simulator']);

    const sched = await server.app.inject({ method: 'PATCH', url: `/v1/users/${u}/sources/simulator/schedule`, ...json({ interval_seconds: 600, paused: true }) });
    expect(sched.statusCode).toBe(200);
    expect(sched.json()).toMatchObject({ interval_seconds: 600, paused: true });
    const resume = await server.app.inject({ method: 'PATCH', url: `/v1/users/${u}/sources/simulator/schedule`, ...json({ paused: false }) });
    expect(resume.json().paused).toBe(false);

    const c1 = await server.app.inject({ method: 'POST', url: `/v1/users/${u}/crawls`, ...json({ source: 'simulator' }) });
    expect(c1.statusCode).toBe(202);
    expect(c1.json()).toMatchObject({ state: 'queued', source: 'simulator', user_id: u });
    const c2 = await server.app.inject({ method: 'POST', url: `/v1/users/${u}/sources/listenbrainz/crawls`, headers: auth() });
    expect(c2.statusCode).toBe(202);
    const one = await server.app.inject({ url: `/v1/crawls/${c1.json().crawl_id}`, headers: auth() });
    expect(one.json()).toMatchObject({ crawl_id: c1.json().crawl_id, state: 'queued', listens_fetched: 0 });
    const hist = await server.app.inject({ url: `/v1/users/${u}/crawls?source=simulator`, headers: auth() });
    expect(hist.json().crawls.map((c: { crawl_id: string }) => c.crawl_id)).toEqual([c1.json().crawl_id]);
    const all = await server.app.inject({ url: `/v1/users/${u}/crawls?limit=10`, headers: auth() });
    expect(all.json().crawls).toHaveLength(2);

    const del = await server.app.inject({ method: 'DELETE', url: `/v1/users/${u}/sources/listenbrainz`, headers: auth() });
    expect(del.statusCode).toBe(204);
    const del2 = await server.app.inject({ method: 'DELETE', url: `/v1/users/${u}/sources/listenbrainz`, headers: auth() });
    expect(del2.statusCode).toBe(404);
    const schedGone = await server.app.inject({ method: 'PATCH', url: `/v1/users/${u}/sources/listenbrainz/schedule`, ...json({ paused: true }) });
    expect(schedGone.statusCode).toBe(404);
    const crawlGone = await server.app.inject({ url: '/v1/crawls/does-not-exist', headers: auth() });
    expect(crawlGone.statusCode).toBe(404);
  });

  it.each([
    ['PUT', '/v1/users/U/sources/simulator', { seed: 'x' }, 'seed'],
    ['PUT', '/v1/users/U/sources/simulator', { colour: 'red' }, 'colour'],
    ['PUT', '/v1/users/U/sources/listenbrainz', {}, 'username'],
    ['PUT', '/v1/users/U/sources/Bad Source', {}, 'source'],
    ['PATCH', '/v1/users/U/sources/simulator/schedule', { interval_seconds: 5 }, 'interval_seconds'],
    ['PATCH', '/v1/users/U/sources/simulator/schedule', { paused: 'yes' }, 'paused'],
    ['PATCH', '/v1/users/U/sources/simulator/schedule', { other: 1 }, 'other'],
    ['PATCH', '/v1/users/U/sources/simulator/schedule', {}, 'body'],
    ['POST', '/v1/users/U/crawls', {}, 'source'],
    ['POST', '/v1/users/U/crawls', { source: 'simulator', x: 1 }, 'x'],
    ['GET', '/v1/users/U/crawls?limit=0', undefined, 'limit'],
    ['GET', '/v1/crawls/bad%20id', undefined, 'crawl_id'],
  ])('%s %s %j → 400 naming %s', async (method, url, body, field) => {
    const res = await server.app.inject({ method: method as 'GET', url: url.replace('/U/', `/${uid('val')}/`), ...(body === undefined ? { headers: auth() } : json(body)) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
  });

  it.each([
    ['PUT', '/v1/users/U/sources/nosuchsource', {}, 'unknown_source'],
    ['POST', '/v1/users/U/crawls', { source: 'simulator' }, 'not_connected'],
    ['POST', '/v1/users/U/sources/simulator/crawls', undefined, 'not_connected'],
  ])('%s %s %j → 404 %s naming the source', async (method, url, body, code) => {
    const res = await server.app.inject({ method: method as 'GET', url: url.replace('/U/', `/${uid('val')}/`), ...(body === undefined ? { headers: auth() } : json(body)) });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code, field: 'source' });
  });

  it('streams an import upload to the crawl service', async () => {
    const u = uid('imp');
    const lines = [
      ...Array.from({ length: 5 }, (_, i) => JSON.stringify({ listened_at: Math.floor((now - (i + 1) * 60_000) / 1000), track_metadata: { artist_name: 'A', track_name: `T${i}` } })),
      '{not json',
      JSON.stringify({ listened_at: Math.floor((now - 30 * DAY_MS) / 1000), track_metadata: { artist_name: 'Old', track_name: 'Old' } }),
    ].join('\n');
    const res = await server.app.inject({
      method: 'POST',
      url: `/v1/users/${u}/imports?filename=listens.jsonl`,
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
      payload: lines,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json(), JSON.stringify(res.json())).toMatchObject({ listens_accepted: 5, state: 'done', format: 'listenbrainz-jsonl' });
    expect(res.json().skipped).toBe(2);
    const hist = await server.app.inject({ url: `/v1/users/${u}/crawls`, headers: auth() });
    expect(hist.json().crawls[0]).toMatchObject({ crawl_id: res.json().crawl_id, trigger: 'import', state: 'done' });
  }, 60_000);
});

describe('GDPR export and delete', () => {
  const { LocalDate } = cassandra.types;
  const victim = uid('victim');
  const other = uid('other');
  let vListens: TestListen[] = [];
  let oListens: TestListen[] = [];

  beforeAll(async () => {
    const mk = (u: string, n: number, off: number): TestListen[] =>
      Array.from({ length: n }, (_, i) => ({
        user_id: u,
        listened_at: dayStartMs(now, i % 4) + 1000 * (i + off) + (i % 4 === 0 ? 0 : 3_600_000),
        song_id: `gs-${i % 5}`,
        title: `Song "${i % 5}", live`,
        artist: 'Band',
      })).filter((l) => l.listened_at < now);
    vListens = mk(victim, 40, 0);
    oListens = mk(other, 25, 7);
    await writeListens(t.db, [...vListens, ...oListens], new RankedSets(t.redis, t.config.keyspace));
    await server.app.inject({ method: 'PUT', url: `/v1/users/${victim}`, ...json({ display_name: 'V' }) });
    await server.app.inject({ method: 'PUT', url: `/v1/users/${victim}/sources/simulator`, ...json({ seed: 1 }) });
    await server.app.inject({ method: 'POST', url: `/v1/users/${victim}/crawls`, ...json({ source: 'simulator' }) });
    await t.db.execute('INSERT INTO user_follows (user_id, followed_id) VALUES (?, ?)', [victim, other], { prepare: true });
    await t.db.execute('INSERT INTO user_follows (user_id, followed_id) VALUES (?, ?)', [other, victim], { prepare: true });

    // BullMQ keeps completed and failed job records, and theirs hold the user id: make one of each
    // (a worker of this test's queue completes the crawl job above and fails a second one)
    const connection = createRedis(t.config, quietLog, { forWorker: true });
    const worker = new Worker<CrawlJobData>(crawl.queue.name, async (job) => {
      if (job.name === 'probe-fail') throw new Error('probe failure');
      return 'done';
    }, { connection, prefix: crawl.queue.opts.prefix ?? CRAWL_PREFIX });
    worker.on('error', () => undefined);
    await crawl.queue.add('probe-fail', { crawl_id: uid('probe'), user_id: victim, source: 'simulator' }, { attempts: 1 });
    const of = async (state: 'completed' | 'failed') => (await crawl.queue.getJobs([state])).filter((j) => j?.data.user_id === victim).length;
    await until('a completed and a failed job record of the victim', async () => (await of('completed')) >= 1 && (await of('failed')) >= 1, 30_000);
    await worker.close();
    await connection.quit();
  }, 60_000);

  it('exports JSON and CSV', async () => {
    const res = await server.app.inject({ url: `/v1/users/${victim}/export`, headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = res.json();
    expect(body.user).toMatchObject({ user_id: victim, display_name: 'V' });
    expect(body.sources.map((s: { source: string }) => s.source)).toEqual(['simulator']);
    expect(body.listens).toHaveLength(vListens.length);
    expect(body.counts.reduce((s: number, c: { plays: number }) => s + c.plays, 0)).toBe(vListens.length);
    const csv = await server.app.inject({ url: `/v1/users/${victim}/export`, headers: { ...auth(), accept: 'text/csv' } });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]).toBe('record,user_id,day,listened_at,source,song_id,title,artist,album,plays');
    expect(rows.filter((r) => r.startsWith('listen,'))).toHaveLength(vListens.length);
    expect(csv.body).toContain('"Song ""1"", live"');
  });

  it('DELETE leaves no row, key or derived count of the user', async () => {
    // warm both cache tiers with the victim's answers
    for (const url of [`/users/${victim}/topk`, `/v1/users/${victim}/top/tracks`, '/v1/top/tracks', `/v1/users/${other}/friends/top/tracks`]) {
      await server.app.inject({ url, headers: auth() });
      expect((await server.app.inject({ url, headers: auth() })).headers['x-cache']).toBe('HIT');
    }
    const res = await server.app.inject({ method: 'DELETE', url: `/v1/users/${victim}`, headers: auth() });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ user_id: victim, deleted: true, listens_deleted: vListens.length });

    const days = [...new Set([...vListens, ...oListens].map((l) => new Date(l.listened_at).toISOString().slice(0, 10)))];
    const count = async (cql: string, params: unknown[]) => (await t.db.execute(cql, params, { prepare: true })).rowLength;
    for (const d of days) {
      expect(await count('SELECT * FROM listens WHERE user_id = ? AND day = ?', [victim, LocalDate.fromString(d)])).toBe(0);
      expect(await count('SELECT * FROM daily_counts WHERE user_id = ? AND day = ?', [victim, LocalDate.fromString(d)])).toBe(0);
      // global counts: only what the other user listened to remains
      const got: Record<string, number> = {};
      for (const [song, n] of await new CountStore(t.db).globalDay(d)) if (n !== 0) got[song] = n;
      const want: Record<string, number> = {};
      for (const l of oListens) if (new Date(l.listened_at).toISOString().slice(0, 10) === d) want[l.song_id] = (want[l.song_id] ?? 0) + 1;
      expect(got).toEqual(want);
    }
    expect(await count('SELECT * FROM user_days WHERE user_id = ?', [victim])).toBe(0);
    for (const d of days) expect(await count('SELECT * FROM day_users WHERE day = ? AND user_id = ?', [LocalDate.fromString(d), victim])).toBe(0);
    // the other user's day index stays
    for (const d of new Set(oListens.map((l) => new Date(l.listened_at).toISOString().slice(0, 10)))) {
      expect(await count('SELECT * FROM day_users WHERE day = ? AND user_id = ?', [LocalDate.fromString(d), other])).toBe(1);
    }
    expect(await count('SELECT * FROM users WHERE user_id = ?', [victim])).toBe(0);
    expect(await count('SELECT * FROM sources WHERE user_id = ?', [victim])).toBe(0);
    expect(await count('SELECT * FROM crawl_schedule WHERE user_id = ? AND source = ?', [victim, 'simulator'])).toBe(0);
    expect(await count('SELECT * FROM crawls_by_source WHERE user_id = ? AND source = ?', [victim, 'simulator'])).toBe(0);
    expect(await count('SELECT * FROM crawls WHERE user_id = ? ALLOW FILTERING', [victim])).toBe(0);
    expect(await count('SELECT * FROM user_follows WHERE user_id = ?', [victim])).toBe(0);
    expect(await count('SELECT * FROM user_follows WHERE followed_id = ? ALLOW FILTERING', [victim])).toBe(0);
    const tomb = (await t.db.execute('SELECT deleted_at FROM deleted_users WHERE user_id = ?', [victim], { prepare: true })).first();
    expect(tomb?.get('deleted_at')).toBeInstanceOf(Date);
    const records = await crawl.queue.getJobs(['waiting', 'delayed', 'prioritized', 'completed', 'failed']);
    expect(records.filter((j) => j?.data.user_id === victim)).toEqual([]);

    // no cache key mentions the user; answers are recomputed without them
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await t.redis.scan(cursor, 'MATCH', `${redisNames(t.config.keyspace).cachePrefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.filter((k) => k.includes(victim))).toEqual([]);
    const top = await server.app.inject({ url: `/users/${victim}/topk`, headers: auth() });
    expect(top.headers['x-cache']).toBe('MISS');
    expect(top.json().results).toEqual([]);
    const global = await server.app.inject({ url: '/v1/top/tracks', headers: auth() });
    expect(global.headers['x-cache']).toBe('MISS');
    expect(global.json().results.reduce((s: number, r: { listen_count: number }) => s + r.listen_count, 0)).toBe(oListens.length);
    const friends = await server.app.inject({ url: `/v1/users/${other}/friends/top/tracks`, headers: auth() });
    expect(friends.json().results).toEqual([]);
    const exp = await server.app.inject({ url: `/v1/users/${victim}/export`, headers: auth() });
    expect(exp.json()).toMatchObject({ user: null, sources: [], listens: [], counts: [] });
  }, 60_000);
});
