import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenBrainzFake } from '../../../test/fakes/listenbrainz-fake';
import type { FakeListen } from '../../../test/fakes/listenbrainz-fake';
import { ListenBrainzSource } from './listenbrainz';
import type { CrawlContext, SourcePage } from './types';

const HOUR = 3_600_000;
const fakes: ListenBrainzFake[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

const listen = (sec: number, i: number): FakeListen => ({
  listened_at: sec,
  recording_msid: `msid-${i}`,
  track_metadata: { artist_name: `Artist ${i % 7}`, track_name: `Track ${i}` },
});

/** listens yielded, each identity once (a page boundary's second is read twice on purpose) */
const distinct = (pages: SourcePage[]): number => new Set(pages.flatMap((p) => p.listens).map((l) => `${l.listened_at}|${l.song_id}`)).size;

async function crawl(src: ListenBrainzSource, cursor: string | null, now: number, lookbackMs: number): Promise<SourcePage[]> {
  const ctx: CrawlContext = { userId: 'u', config: { username: 'late' }, cursor, now, retentionDays: 7, lookbackMs, signal: new AbortController().signal, log: pino({ level: 'silent' }) };
  const pages: SourcePage[] = [];
  for await (const p of src.crawl(ctx)) pages.push(p);
  return pages;
}

/**
 * Issue 22 point 4: 100 listens crawled, then 300 arrive late — 210 of them carry a listened_at older
 * than the newest crawled listen (a phone that synced hours later). The cursor alone finds 90.
 */
describe('ListenBrainz crawl look-back (late listens)', () => {
  async function scenario(): Promise<{ src: ListenBrainzSource; fake: ListenBrainzFake; now: number; cursor: string; late: FakeListen[] }> {
    const fake = new ListenBrainzFake();
    fakes.push(fake);
    const src = new ListenBrainzSource({ baseUrl: await fake.start(), pageSize: 50, minIntervalMs: 0, backoffBaseMs: 5 });
    const now = Date.now();
    const base = Math.floor((now - 48 * HOUR) / 1000);
    // first crawl: 100 listens, one a minute, the newest 46 h 20 min ago
    fake.addListens('late', Array.from({ length: 100 }, (_, i) => listen(base + i * 60, i)));
    const first = await crawl(src, null, now, 7 * 24 * HOUR);
    expect(distinct(first)).toBe(100);
    const cursor = first.at(-1)!.cursor!;
    expect(cursor).toBe(String(base + 99 * 60));
    // 300 late arrivals: 210 between the first listen and the cursor (offline scrobbles), 90 after it
    const late = [
      ...Array.from({ length: 210 }, (_, i) => listen(base + 30 + i * 28, 1000 + i)),
      ...Array.from({ length: 90 }, (_, i) => listen(base + 100 * 60 + i * 60, 2000 + i)),
    ];
    fake.addListens('late', late);
    return { src, fake, now, cursor, late };
  }

  it('re-reads the retention window by default: every late listen is fetched, and the look-back pages are marked', async () => {
    const { src, now, cursor, late } = await scenario();
    const pages = await crawl(src, cursor, now, 7 * 24 * HOUR);
    const got = new Set(pages.flatMap((p) => p.listens).map((l) => `${l.listened_at}|${l.song_id}`));
    const missing = late.filter((l) => !got.has(`${l.listened_at * 1000}|${l.recording_msid}`));
    expect(missing).toHaveLength(0);
    expect(distinct(pages)).toBe(400);
    // a page is a look-back page exactly when it reaches below the cursor: the first 90 listens fit in 2 pages of 50
    const c = Number(cursor) * 1000;
    const withListens = pages.filter((p) => p.listens.length > 0);
    for (const p of withListens) expect(p.lookback === true).toBe(Math.min(...p.listens.map((l) => l.listened_at)) <= c);
    expect(withListens.filter((p) => !p.lookback)).toHaveLength(1);
    expect(withListens.filter((p) => p.lookback).length).toBeGreaterThanOrEqual(7);
    expect(pages.at(-1)!.cursor).toBe(String(late.at(-1)!.listened_at));
  });

  it('with TOPK_CRAWL_LOOKBACK_HOURS=0 it reads only above the cursor (the old behaviour: 90 of 300)', async () => {
    const { src, now, cursor } = await scenario();
    const pages = await crawl(src, cursor, now, 0);
    expect(new Set(pages.flatMap((p) => p.listens).filter((l) => l.listened_at > Number(cursor) * 1000).map((l) => l.song_id)).size).toBe(90);
    expect(pages.flatMap((p) => p.listens).filter((l) => l.listened_at < Number(cursor) * 1000)).toHaveLength(0);
  });

  it('a look-back of one hour reaches only the late listens of the last hour before the cursor', async () => {
    const { src, now, cursor, late } = await scenario();
    const pages = await crawl(src, cursor, now, HOUR);
    const lo = Number(cursor) - 3600;
    const expected = late.filter((l) => l.listened_at >= lo).length;
    const got = new Set(pages.flatMap((p) => p.listens).filter((l) => /^msid-(1|2)\d{3}$/.test(l.song_id)).map((l) => l.song_id));
    expect(got.size).toBe(expected);
    expect(expected).toBeLessThan(300);
  });
});
