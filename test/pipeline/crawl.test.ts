import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { CrawlService } from '../../engine/crawler/crawl-service';
import { CrawlRunner } from '../../engine/crawler/crawl-runner';
import { CrawlWorker } from '../../engine/crawler/crawl-worker';
import { Reconciler } from '../../engine/crawler/reconciler';
import { createSources } from '../../engine/crawler/sources/registry';
import { generateListens } from '../../engine/crawler/sources/simulator';
import { SecretBox } from '../../engine/shared/crypto';
import { createRedis } from '../../engine/shared/redis';
import { ListenBrainzFake } from '../fakes/listenbrainz-fake';
import type { FakeListen } from '../fakes/listenbrainz-fake';
import { asComparable, createHarness, daysBack, expectedCounts, expectedGlobal, hSongId, quietLog, storedCounts, storedGlobal, uid, until, waitForLag0 } from './harness';
import type { Harness } from './harness';

const DAY = 86_400_000;
let h: Harness;
let service: CrawlService;
let worker: CrawlWorker;
let workerRedis: Redis;
let fake: ListenBrainzFake;
const queueName = uid('topk-crawl-test');
/** every listen this file expects counted, for the global check */
const allExpected: Array<{ user_id: string; source: string; listened_at: number; song_id: string }> = [];

beforeAll(async () => {
  fake = new ListenBrainzFake({ rateLimit: 6, windowSeconds: 1 });
  const lbUrl = await fake.start();
  h = await createHarness({ TOPK_LISTENBRAINZ_URL: lbUrl });
  await h.startAggregator();
  const sources = createSources(h.config, { pageSize: 40, backoffBaseMs: 20, minIntervalMs: 0 });
  const secrets = SecretBox.fromDataDir(h.config.dataDir);
  service = h.crawlService({ sources, secrets, queueName });
  const publisher = h.publisher();
  const runner = new CrawlRunner({ store: service.store, publisher, sources, secrets, redis: h.redis, config: h.config, log: quietLog, statsKey: h.statsKey });
  workerRedis = createRedis(h.config, quietLog, { forWorker: true });
  worker = new CrawlWorker({ runner, sources, connection: workerRedis, redis: h.redis, log: quietLog, queueName, busyDelayMs: 100 });
  worker.start();
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await workerRedis?.quit();
  await h?.close();
  await fake?.close();
}, 60_000);

/** listens the file's aggregator dropped as older than retention when it read them */
const expiredDropped = async (): Promise<number> => Number((await h.redis.hget(h.statsKey, 'expired_dropped')) ?? 0);
const byTime = <T extends { listened_at: number }>(ls: T[]): T[] => [...ls].sort((a, b) => a.listened_at - b.listened_at);

const crawlDone = (id: string) =>
  until(`crawl ${id} finished`, async () => {
    const c = await service.getCrawl(id);
    return c && (c.state === 'done' || c.state === 'failed') ? c : undefined;
  }, 90_000);

describe('simulator crawl end to end', () => {
  it('counts exactly the simulated listens of the retention window, and an overlapping re-crawl changes nothing', async () => {
    const user = uid('sim');
    const seed = 4242;
    await service.connectSource(user, 'simulator', { seed, listens_per_day: 60 });
    const expiredBefore = await expiredDropped();
    const c1 = await crawlDone((await service.requestCrawl(user, 'simulator')).crawl_id);
    expect(c1.state).toBe('done');
    const end1 = Number((await service.store.crawls.getSchedule(user, 'simulator'))!.cursor);
    const start = end1 - h.config.retentionDays * DAY;
    const first = generateListens(seed, user, start, end1, { listensPerDay: 60 });
    expect(c1.listens_published).toBe(first.length);
    expect(first.length).toBeGreaterThan(200);
    await waitForLag0(h);
    // the crawl starts at the retention edge: a listen that crossed it before the aggregator read it is
    // dropped as expired, never counted. Those are the crawl's oldest (published oldest first, one partition)
    const edge = (await expiredDropped()) - expiredBefore;
    expect(edge).toBeLessThan(5);
    const expired = new Set(byTime(first).slice(0, edge));
    const toEvents = (ls: typeof first) => ls.filter((l) => !expired.has(l)).map((l) => ({ ...l, user_id: user, source: 'simulator' }));
    const days = daysBack(h.config.retentionDays + 1);
    expect(await storedCounts(h, user, days)).toEqual(asComparable(expectedCounts(toEvents(first)).get(user)));

    // overlap: move the cursor 30 hours back and crawl again
    await service.store.crawls.updateSchedule(user, 'simulator', { cursor: String(end1 - 30 * 3_600_000) });
    const dupBefore = Number((await h.redis.hget(h.statsKey, 'duplicates_dropped')) ?? 0);
    const c2 = await crawlDone((await service.requestCrawl(user, 'simulator')).crawl_id);
    expect(c2.state).toBe('done');
    const end2 = Number((await service.store.crawls.getSchedule(user, 'simulator'))!.cursor);
    const overlap = generateListens(seed, user, end1 - 30 * 3_600_000, end1, { listensPerDay: 60 }).length;
    expect(overlap).toBeGreaterThan(0);
    await waitForLag0(h);
    // crawl 2 starts at a later retention edge: the listens crawl 1 lost to it are older still and not re-read
    const union = [...first, ...generateListens(seed, user, end1, end2, { listensPerDay: 60 })];
    expect(await storedCounts(h, user, days)).toEqual(asComparable(expectedCounts(toEvents(union)).get(user)));
    expect(Number(await h.redis.hget(h.statsKey, 'duplicates_dropped')) - dupBefore).toBeGreaterThanOrEqual(overlap);
    allExpected.push(...toEvents(union));
    const crawls = await service.listCrawls(user, 'simulator');
    expect(crawls.map((c) => c.crawl_id)).toEqual([c2.crawl_id, c1.crawl_id]);
  }, 180_000);

  it('the reconciler runs due schedules from the durable table', async () => {
    const user = uid('sched');
    await service.connectSource(user, 'simulator', { seed: 7, listens_per_day: 10 });
    const reconciler = new Reconciler({ service, log: quietLog, intervalMs: 200 });
    const expiredBefore = await expiredDropped();
    const r = await reconciler.tick();
    expect(r.enqueued).toBeGreaterThanOrEqual(1);
    const sched = await service.store.crawls.getSchedule(user, 'simulator');
    expect(sched!.state).toBe('queued');
    const c = await crawlDone(sched!.last_crawl_id!);
    expect(c.trigger).toBe('schedule');
    const after = await service.store.crawls.getSchedule(user, 'simulator');
    expect(after!.state).toBe('idle');
    expect(Date.parse(after!.next_run_at!)).toBeGreaterThan(Date.now());
    const end = Number(after!.cursor);
    await waitForLag0(h);
    const edge = (await expiredDropped()) - expiredBefore;
    const listens = byTime(generateListens(7, user, end - h.config.retentionDays * DAY, end, { listensPerDay: 10 })).slice(edge);
    allExpected.push(...listens.map((l) => ({ ...l, user_id: user, source: 'simulator' })));
    await reconciler.close();
  }, 120_000);
});

describe('ListenBrainz source against the strict fake', () => {
  function lbListens(n: number, now: number): FakeListen[] {
    const out: FakeListen[] = [];
    for (let i = 0; i < n; i++) {
      // several listens share a second (page boundaries must not lose them), some carry an MBID, some only an MSID, some neither
      const ts = Math.floor(now / 1000) - 60 - Math.floor(i / 3) * 97;
      const song = i % 17;
      const info: Record<string, unknown> = i % 3 === 0 ? { recording_mbid: `mbid-${song}` } : {};
      out.push({
        listened_at: ts,
        recording_msid: i % 3 === 1 ? `msid-${song}` : '',
        track_metadata: { artist_name: ` Artist ${song % 5}`, track_name: `Track ${song} `, release_name: 'R', additional_info: info },
      });
    }
    return out;
  }
  const songIdOf = (l: FakeListen): string =>
    (l.track_metadata.additional_info?.recording_mbid as string | undefined) || l.recording_msid || hSongId(l.track_metadata.artist_name, l.track_metadata.track_name);

  it('pages through 429s and 500s to exact counts, then re-reads the look-back window without double counting', async () => {
    const user = uid('lb');
    const name = `lbuser_${user}`;
    const now = Date.now();
    const listens = lbListens(250, now);
    // one listen older than retention: not counted
    listens.push({ listened_at: Math.floor((now - (h.config.retentionDays + 1) * DAY) / 1000), recording_msid: 'msid-old', track_metadata: { artist_name: 'Old', track_name: 'Old' } });
    fake.addListens(name, listens);
    fake.inject.push({ status: 429, retryAfter: 1 }, { status: 500 }, { status: 503 });
    await service.connectSource(user, 'listenbrainz', { username: name, token: 'secret-token' });
    const row = await service.store.sources.getSource(user, 'listenbrainz');
    expect(row!.credentials!.toString('utf8')).not.toContain('secret-token');
    const c = await crawlDone((await service.requestCrawl(user, 'listenbrainz')).crawl_id);
    expect(c.error).toBeUndefined();
    expect(c.state).toBe('done');
    expect(fake.requests.length).toBeGreaterThan(7); // 250 listens / 40 per page + injected failures + rate limit
    await waitForLag0(h);
    const horizon = now - h.config.retentionDays * DAY;
    const counted = listens
      .filter((l) => l.listened_at * 1000 >= horizon)
      .map((l) => ({ user_id: user, source: 'listenbrainz', listened_at: l.listened_at * 1000, song_id: songIdOf(l) }));
    expect(counted.length).toBe(250);
    const days = daysBack(h.config.retentionDays + 1);
    expect(await storedCounts(h, user, days)).toEqual(asComparable(expectedCounts(counted).get(user)));

    // new listens arrive; the next crawl re-reads the look-back window (by default the retention window) below the cursor
    const more: FakeListen[] = [0, 1, 2].map((i) => ({
      listened_at: Math.floor(Date.now() / 1000) - i,
      recording_msid: `msid-new-${i}`,
      track_metadata: { artist_name: 'New', track_name: `New ${i}` },
    }));
    fake.addListens(name, more);
    const c2 = await crawlDone((await service.requestCrawl(user, 'listenbrainz')).crawl_id);
    expect(c2.state).toBe('done');
    expect(c2.listens_fetched).toBeGreaterThanOrEqual(250 + 3); // the window again (+ page-boundary seconds): dedupe absorbs the re-read
    expect(c2.lookback_pages).toBeGreaterThan(0);
    await waitForLag0(h);
    const all = [...counted, ...more.map((l) => ({ user_id: user, source: 'listenbrainz', listened_at: l.listened_at * 1000, song_id: l.recording_msid }))];
    expect(await storedCounts(h, user, days)).toEqual(asComparable(expectedCounts(all).get(user)));
    allExpected.push(...all);
  }, 180_000);

  it('fails clearly for an unknown ListenBrainz user, without retries', async () => {
    const user = uid('lb404');
    await service.connectSource(user, 'listenbrainz', { username: 'nobody-here' });
    const c = await crawlDone((await service.requestCrawl(user, 'listenbrainz')).crawl_id);
    expect(c.state).toBe('failed');
    expect(c.error).toMatch(/does not exist/);
    expect((await service.store.crawls.getSchedule(user, 'listenbrainz'))!.last_error).toMatch(/does not exist/);
  }, 60_000);

  it('rejects bad source bodies with a field', async () => {
    await expect(service.connectSource('u', 'listenbrainz', { username: '' })).rejects.toMatchObject({ name: 'SourceError', field: 'username' });
    await expect(service.connectSource('u', 'simulator', { listens_per_day: -1 })).rejects.toMatchObject({ field: 'listens_per_day' });
    await expect(service.connectSource('u', 'nope', {})).rejects.toMatchObject({ field: 'source', code: 'unknown_source' });
    await expect(service.requestCrawl(uid('x'), 'simulator')).rejects.toMatchObject({ code: 'not_connected' });
  });

  it('global counts are the sum over every user of the file', async () => {
    await waitForLag0(h);
    const days = daysBack(h.config.retentionDays + 1);
    expect(await storedGlobal(h, days)).toEqual(expectedGlobal(expectedCounts(allExpected)));
  }, 60_000);
});
