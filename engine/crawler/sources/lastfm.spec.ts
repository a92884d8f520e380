import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LastfmFake } from '../../../test/fakes/lastfm-fake';
import type { Play } from '../../../test/fixtures/history-exports';
import { hashSongId } from '../../shared/listen-identity';
import { LastfmSource } from './lastfm';
import type { LastfmOptions } from './lastfm';
import { ConfigValidationError, PermanentSourceError } from './types';
import type { CrawlContext, SourcePage } from './types';

const KEY = '0123456789abcdef0123456789abcdef';
const DAY = 86_400_000;
const fakes: LastfmFake[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

async function setup(plays: Play[], opts: Partial<LastfmOptions> = {}, user: { private?: boolean; nowPlaying?: Play } = {}): Promise<{ fake: LastfmFake; src: LastfmSource }> {
  const fake = new LastfmFake({ ratePerSecond: 5 });
  fakes.push(fake);
  fake.keys.add(KEY);
  fake.addUser('Someone', plays, user);
  const src = new LastfmSource({ baseUrl: await fake.start(), backoffBaseMs: 20, ...opts });
  return { fake, src };
}

async function crawl(src: LastfmSource, o: { cursor?: string | null; now?: number; lookbackMs?: number; key?: string; user?: string } = {}): Promise<SourcePage[]> {
  const ctx: CrawlContext = {
    userId: 'u',
    config: { username: o.user ?? 'someone' },
    credentials: o.key ?? KEY,
    cursor: o.cursor ?? null,
    now: o.now ?? Date.now(),
    retentionDays: 7,
    lookbackMs: o.lookbackMs ?? 7 * DAY,
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
  };
  const pages: SourcePage[] = [];
  for await (const p of src.crawl(ctx)) pages.push(p);
  return pages;
}

const history = (n: number, newest = Date.now() - 60_000, gap = 181_000): Play[] =>
  Array.from({ length: n }, (_, i) => ({ start: Math.floor((newest - i * gap) / 1000) * 1000, artist: `Artist ${i % 9}`, title: `Title ${i % 40}`, album: 'LP' }));

describe('LastfmSource', () => {
  it('pages user.getRecentTracks by @attr.totalPages at limit 200, skips now playing and older than retention, ≤ 5 requests/s', async () => {
    const plays = history(1000);
    const old = { start: Date.now() - 8 * DAY, artist: 'Old', title: 'Gone' };
    const { fake, src } = await setup([...plays, old], {}, { nowPlaying: { start: Date.now(), artist: 'Now', title: 'Playing' } });
    const pages = await crawl(src);
    const listens = pages.flatMap((p) => p.listens);
    expect(listens.map((l) => l.listened_at)).toEqual(plays.map((p) => p.start));
    expect(listens[0]).toMatchObject({ artist: 'Artist 0', title: 'Title 0', album: 'LP', song_id: hashSongId('Artist 0', 'Title 0') });
    expect(fake.requests).toHaveLength(5);
    for (const r of fake.requests) expect(new URL(r.url, 'http://x').searchParams.get('limit')).toBe('200');
    expect(fake.rateLimited).toBe(0); // the fake answers error 29 to a 6th request within any second
    expect(pages.at(-1)!.cursor).toBe(String(plays[0]!.start / 1000));
  });

  it('reads a page of one track (an object, not an array) and uses the track mbid as song id', async () => {
    const { src } = await setup([{ start: Date.now() - 3_600_000, artist: 'A', title: 'T', mbid: 'b1a9c0e9-d987-4042-ae91-78d6a3267d69' }]);
    const listens = (await crawl(src)).flatMap((p) => p.listens);
    expect(listens).toHaveLength(1);
    expect(listens[0]!.song_id).toBe('b1a9c0e9-d987-4042-ae91-78d6a3267d69');
  });

  it('re-reads the look-back window below the cursor: late scrobbles are fetched, and those pages are marked', async () => {
    const plays = history(300);
    const { fake, src } = await setup(plays);
    const first = await crawl(src);
    const cursor = first.at(-1)!.cursor!;
    // 250 scrobbles reach Last.fm late (an offline phone): older than the newest crawled one
    const late = history(250, Number(cursor) * 1000 - 30_000, 60_000).map((p) => ({ ...p, title: 'Late ' + p.title }));
    fake.addUser('someone', late);
    const pages = await crawl(src, { cursor });
    const got = pages.flatMap((p) => p.listens).filter((l) => l.title.startsWith('Late '));
    expect(got).toHaveLength(250);
    expect(pages.filter((p) => p.lookback).length).toBeGreaterThan(0);
    const none = await crawl(src, { cursor, lookbackMs: 0 });
    expect(none.flatMap((p) => p.listens).filter((l) => l.title.startsWith('Late '))).toHaveLength(0);
  });

  it('turns Last.fm error codes into clear crawl errors', async () => {
    const { fake, src } = await setup(history(3), {}, {});
    fake.addUser('hidden', history(3), { private: true });
    const err = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as PermanentSourceError);
    expect(await err(crawl(src, { user: 'nobody' }))).toMatchObject({ code: 'unknown_user', message: expect.stringMatching(/Last\.fm user "nobody" does not exist/) });
    expect(await err(crawl(src, { user: 'hidden' }))).toMatchObject({ code: 'private_profile', message: expect.stringMatching(/private/) });
    expect(await err(crawl(src, { key: 'f'.repeat(32) }))).toMatchObject({ code: 'invalid_api_key' });
    fake.suspendedKeys.add(KEY);
    const suspended = await err(crawl(src));
    expect(suspended).toBeInstanceOf(PermanentSourceError);
    expect(suspended).toMatchObject({ code: 'api_key_suspended', message: expect.stringMatching(/suspended/) });
  });

  it('waits out error 29 (rate limit exceeded) and temporary errors, then goes on', async () => {
    const { fake, src } = await setup(history(10));
    fake.inject.push(29, 500, 16);
    const listens = (await crawl(src)).flatMap((p) => p.listens);
    expect(listens).toHaveLength(10);
    expect(fake.requests).toHaveLength(4);
  });

  it('validates the connect body: username and a 32-hex-digit api_key, nothing else', () => {
    const src = new LastfmSource({ baseUrl: 'http://127.0.0.1:1/2.0/' });
    expect(src.parseConfig({ username: 'Someone', api_key: KEY.toUpperCase() })).toEqual({ config: { username: 'Someone' }, credentials: KEY.toUpperCase() });
    const field = (b: unknown) => {
      try {
        src.parseConfig(b);
        return undefined;
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigValidationError);
        return (e as ConfigValidationError).field;
      }
    };
    expect(field({ username: 'Someone' })).toBe('api_key');
    expect(field({ username: 'Someone', api_key: 'short' })).toBe('api_key');
    expect(field({ username: 'x', api_key: KEY })).toBe('username');
    expect(field({ username: '../etc', api_key: KEY })).toBe('username');
    expect(field({ username: 'Someone', api_key: KEY, password: 'p' })).toBe('password');
    expect(field([])).toBe('body');
  });
});
