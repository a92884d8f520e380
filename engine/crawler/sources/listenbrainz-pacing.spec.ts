import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenBrainzFake } from '../../../test/fakes/listenbrainz-fake';
import type { FakeListen } from '../../../test/fakes/listenbrainz-fake';
import { ListenBrainzSource } from './listenbrainz';
import type { CrawlContext } from './types';

/**
 * X-RateLimit-* pacing against a fake that enforces the limit it advertises: a crawler that
 * reads the headers and waits out the window never sees a 429.
 */
let fake: ListenBrainzFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function history(user: string, n: number, now: number): FakeListen[] {
  return Array.from({ length: n }, (_, i) => ({ listened_at: Math.floor(now / 1000) - 60 - i * 30, recording_msid: `${user}-msid-${i}`, track_metadata: { artist_name: 'Artist', track_name: `Track ${i}` } }));
}

function ctx(user: string, now: number): CrawlContext {
  return { userId: user, config: { username: user }, cursor: null, now, retentionDays: 7, lookbackMs: 7 * 86_400_000, signal: new AbortController().signal, log: pino({ level: 'silent' }) };
}

/** Distinct listens a crawl yields (page boundaries are read twice on purpose; dedupe absorbs them). */
async function crawl(src: ListenBrainzSource, user: string, now: number): Promise<number> {
  const seen = new Set<string>();
  for await (const p of src.crawl(ctx(user, now))) for (const l of p.listens) seen.add(`${l.listened_at} ${l.song_id}`);
  return seen.size;
}

describe('ListenBrainz rate-limit pacing', () => {
  it('two crawls at the source\'s concurrency through a 4-requests-per-2 s window: every listen, no 429, paced over the windows', async () => {
    const now = Date.now();
    fake = new ListenBrainzFake({ rateLimit: 4, windowSeconds: 2 });
    fake.addListens('ann', history('ann', 500, now));
    fake.addListens('bob', history('bob', 500, now));
    const url = await fake.start();
    const src = new ListenBrainzSource({ baseUrl: url, pageSize: 100, backoffBaseMs: 50 });
    const t0 = Date.now();
    // ListenBrainzSource.concurrency crawls share one source, as in the crawler's worker
    expect(src.concurrency).toBe(2);
    const got = await Promise.all([crawl(src, 'ann', now), crawl(src, 'bob', now)]);
    const elapsed = Date.now() - t0;
    expect(got).toEqual([500, 500]);
    expect(fake.answers.filter((a) => a.status === 429)).toEqual([]);
    // ≥ 10 requests at 4 per window: the crawls must have waited for the windows to reset
    const requests = fake.answers.length;
    expect(requests).toBeGreaterThanOrEqual(10);
    expect(elapsed).toBeGreaterThanOrEqual((Math.ceil(requests / 4) - 1) * 2000 - 1000);
  }, 60_000);
});
