import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrawlService} from '../../engine/crawler/crawl-service';
import { SourceError } from '../../engine/crawler/crawl-service';
import { CrawlRunner } from '../../engine/crawler/crawl-runner';
import { createSources } from '../../engine/crawler/sources/registry';
import { SecretBox } from '../../engine/shared/crypto';
import { LastfmFake } from '../fakes/lastfm-fake';
import { lastfmCsv, listenBrainzListen, malojaExport, scrobblerLog, spotifyExtended } from '../fixtures/history-exports';
import type { Play } from '../fixtures/history-exports';
import { buildZip } from '../fixtures/zip-builder';
import { rebuildCounts } from '../../engine/aggregator/rebuild';
import { createStore } from '../../engine/shared/store/store';
import { asComparable, createHarness, daysBack, expectedCounts, hSongId, quietLog, storedCounts, storedGlobal, uid, waitForLag0 } from './harness';
import type { Harness } from './harness';

const KEY = 'abcdefabcdefabcdefabcdefabcdef01';
const fake = new LastfmFake();
fake.keys.add(KEY);
let h: Harness;
let service: CrawlService;
let runner: CrawlRunner;

beforeAll(async () => {
  h = await createHarness({ TOPK_LASTFM_URL: await fake.start() });
  await h.startAggregator();
  const sources = createSources(h.config, {}, { backoffBaseMs: 20 });
  const secrets = SecretBox.fromDataDir(h.config.dataDir);
  service = h.crawlService({ sources, secrets });
  runner = new CrawlRunner({ store: service.store, publisher: h.publisher(), sources, secrets, redis: h.redis, config: h.config, log: quietLog, statsKey: h.statsKey });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await fake.close();
}, 60_000);

const HOUR = 3_600_000;
const stream = (data: string | Buffer): Readable => {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += 1009) parts.push(b.subarray(i, i + 1009));
  return Readable.from(parts);
};
/** plays of the last day, `gap` apart, over a few tracks (so tracks repeat) */
const playsOf = (n: number, tag: string, gap = 7 * 60_000): Play[] =>
  Array.from({ length: n }, (_, i) => ({ start: Math.floor((Date.now() - 2 * HOUR - i * gap) / 1000) * 1000, artist: `${tag} Artist ${i % 3}`, title: `Song ${i % 5}`, album: 'LP', ms_played: 190_000 }));
const expectFor = (user: string, plays: Play[], source: string) =>
  expectedCounts(plays.map((p) => ({ user_id: user, source, listened_at: p.start, song_id: p.mbid ?? hSongId(p.artist, p.title) }))).get(user);

describe('imports that came back "done" with every line malformed_json now store their listens', () => {
  it('the Spotify data zip (my_spotify_data.zip)', async () => {
    const user = uid('spzip');
    const plays = playsOf(30, 'Zip');
    const zip = buildZip([
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2026_0.json', data: JSON.stringify(plays.slice(0, 20).map((p) => spotifyExtended(p))) },
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2026_1.json', data: JSON.stringify([...plays.slice(20).map((p) => spotifyExtended(p)), spotifyExtended(plays[0]!, { incognito_mode: true })]) },
      { name: 'MyData/StreamingHistory_podcast_0.json', data: JSON.stringify([{ endTime: '2026-11-20 10:00', podcastName: 'P', episodeName: 'E', msPlayed: 600_000 }]) },
    ]);
    const report = await service.importFile(user, stream(zip), { filename: 'my_spotify_data.zip', size: zip.length });
    expect(report).toMatchObject({ format: 'spotify-zip', lines_read: 32, listens_accepted: 30, skipped: 2, skipped_reasons: { incognito: 1, podcast: 1 }, state: 'done' });
    await waitForLag0(h);
    expect(await storedCounts(h, user, daysBack(2))).toEqual(asComparable(expectFor(user, plays, 'import:spotify')));
    expect(await service.getCrawl(report.crawl_id)).toMatchObject({ state: 'done', bytes_read: zip.length, bytes_total: zip.length, listens_published: 30 });
  }, 90_000);

  it('the Last.fm CSV export, a .scrobbler.log and a Maloja export', async () => {
    for (const [name, make, source] of [
      ['recenttracks.csv', lastfmCsv, 'import:lastfm'],
      ['.scrobbler.log', (p: Play[]) => scrobblerLog(p), 'import:scrobbler-log'],
      ['maloja_export.json', malojaExport, 'import:maloja'],
    ] as const) {
      const user = uid('fmt');
      const plays = playsOf(25, name);
      const report = await service.importFile(user, stream(make(plays)), name);
      expect(report).toMatchObject({ lines_read: 25, listens_accepted: 25, skipped: 0, state: 'done' });
      await waitForLag0(h);
      expect(await storedCounts(h, user, daysBack(2))).toEqual(asComparable(expectFor(user, plays, source)));
    }
  }, 120_000);

  it('a file in no supported format is refused with the formats accepted, and nothing is published', async () => {
    const user = uid('bad');
    const err = await service.importFile(user, stream('date,amount\n2026-01-01,3\n'), 'bank.csv').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: 'unsupported_format', field: 'body', message: expect.stringMatching(/Accepted: a Spotify data zip/) });
    const [crawl] = await service.listCrawls(user, 'import');
    expect(crawl).toMatchObject({ state: 'failed', listens_published: 0 });
  }, 30_000);
});

describe('one play from two sources counts once', () => {
  it('Spotify, Last.fm and ListenBrainz histories of the same plays: each play once, real repeats twice', async () => {
    const user = uid('cross');
    const name = `xs${user.replace(/[^a-z0-9]/gi, '').slice(-10)}`;
    // 60 plays, one song played twice in a row (plays 20 and 21, 3 min apart, seen by Spotify and Last.fm); one play near midnight UTC
    const base = playsOf(60, 'Cross', 6 * 60_000);
    base[21] = { ...base[20]!, start: base[20]!.start - 180_000 };
    const midnight = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const near = { start: midnight - 20_000, artist: 'Cross Artist 9', title: 'Midnight', ms_played: 200_000 };
    const plays = [...base, near];
    // Spotify saw plays 0..44 (+ the midnight one), ends and ms_played give starts a few seconds off Last.fm's
    const spotify = [...plays.slice(0, 45), near].map((p) => spotifyExtended({ ...p, start: p.start + 4_000, ms_played: 190_000 }));
    // Last.fm (crawled) saw 15..59 and the midnight play, which it dated 40 s later — after midnight
    fake.addUser(name, [...plays.slice(15, 60), { ...near, start: near.start + 40_000 }]);
    // ListenBrainz saw 30..59, with MusicBrainz ids and other spellings of the names
    const lb = plays.slice(30, 60).map((p, i) => listenBrainzListen({ ...p, artist: p.artist.toUpperCase(), title: p.title + ' ', mbid: `mbid-${i % 5}` }));

    const r1 = await service.importFile(user, stream(buildZip([{ name: 'Streaming_History_Audio_2026.json', data: JSON.stringify(spotify) }])), 'my_spotify_data.zip');
    expect(r1.listens_accepted).toBe(46);
    await waitForLag0(h);
    await service.connectSource(user, 'lastfm', { username: name, api_key: KEY });
    const crawl = await service.createCrawl(user, 'lastfm', 'manual', 'queued');
    expect(await runner.run(crawl.crawl_id, new AbortController().signal)).toEqual({ ok: true });
    expect((await service.getCrawl(crawl.crawl_id))!.listens_published).toBe(46);
    await waitForLag0(h);
    const r3 = await service.importFile(user, stream(buildZip([{ name: 'listens/2026/11.jsonl', data: lb.map((l) => JSON.stringify(l)).join('\n') }])), 'listenbrainz.zip');
    expect(r3.listens_accepted).toBe(30);
    await waitForLag0(h);

    // every play once, with the song id of the source that brought it first; 61 plays = 60 + the midnight one
    const firstSeen = plays.map((p, i) => ({ ...p, start: i < 45 || p === near ? p.start + 4_000 : p.start }));
    const expected = expectFor(user, firstSeen, 'x');
    const stored = await storedCounts(h, user, daysBack(3));
    expect(stored).toEqual(asComparable(expected));
    const total = [...stored.values()].flat().reduce((a, [, n]) => a + n, 0);
    expect(total).toBe(61);
    // the repeated song counts both plays (its row also holds the other plays of that song that day)
    const song = hSongId(base[20]!.artist, base[20]!.title);
    const day = new Date(base[20]!.start + 4_000).toISOString().slice(0, 10);
    const sameSongThatDay = firstSeen.filter((p) => hSongId(p.artist, p.title) === song && new Date(p.start).toISOString().startsWith(day)).length;
    expect(stored.get(day)!.find(([s]) => s === song)![1]).toBe(sameSongThatDay);
    expect(sameSongThatDay).toBeGreaterThanOrEqual(2);
  }, 180_000);
});

describe('one track named by two sources is one chart row', () => {
  it('histories that do not overlap: a name-only history then ids, ids then a name-only history; two recordings of one name stay two rows', async () => {
    const user = uid('rows');
    // names of this run only: track_names is shared by every user, and an earlier run must not decide the rows
    const tag = user.replace(/[^a-z0-9]/gi, '').slice(-10);
    // noon UTC of the day `daysAgo` days back, minus i·5 min: each source's plays stay inside one UTC day whatever the
    // time of the run (anchored at now − 1 h, a run between 00:00 and 01:45 UTC split them over two days and failed)
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const at = (daysAgo: number, i: number): number => today - daysAgo * 86_400_000 + 12 * HOUR - i * 5 * 60_000;
    const A = { artist: `Rows ${tag} Ä`, title: 'First By Name' };
    const B = { artist: `Rows ${tag} B`, title: 'First By Id' };
    const C = { artist: `Rows ${tag} C`, title: 'Two Recordings' };
    const mbidB = `0b000000-0000-4000-8000-${tag.padStart(12, '0').slice(-12)}`;
    const [mbidC1, mbidC2] = ['0c100000', '0c200000'].map((p) => `${p}-0000-4000-8000-${tag.padStart(12, '0').slice(-12)}`) as [string, string];
    const mbidA = `0a000000-0000-4000-8000-${tag.padStart(12, '0').slice(-12)}`;

    // 1. Spotify, three days ago: A by name only (its first naming)
    const spotifyA = [0, 1, 2].map((i) => ({ ...A, start: at(3, i), ms_played: 200_000 }));
    await service.importFile(user, stream(JSON.stringify(spotifyA.map((p) => spotifyExtended(p)))), 'Streaming_History_Audio_2026.json');
    await waitForLag0(h);
    // 2. ListenBrainz, two days ago: A with an mbid and another spelling; B with an mbid (first); C as two recordings
    const lb = [
      ...[0, 1].map((i) => ({ artist: A.artist.toUpperCase().replace('Ä', 'A'), title: `${A.title}!`, start: at(2, i), mbid: mbidA })),
      ...[2, 3, 4, 5].map((i) => ({ ...B, start: at(2, i), mbid: mbidB })),
      ...[6, 7].map((i) => ({ ...C, start: at(2, i), mbid: mbidC1 })),
      { ...C, start: at(2, 8), mbid: mbidC2 },
    ];
    await service.importFile(user, stream(lb.map((p) => JSON.stringify(listenBrainzListen(p))).join('\n')), 'listens.jsonl');
    await waitForLag0(h);
    // 3. Last.fm CSV, yesterday: B and C by name only
    const fm = [...[0, 1, 2].map((i) => ({ ...B, start: at(1, i) })), ...[3, 4].map((i) => ({ ...C, start: at(1, i) }))];
    await service.importFile(user, stream(lastfmCsv(fm)), 'recenttracks.csv');
    await waitForLag0(h);

    const rowA = hSongId(A.artist, A.title);
    const [d3, d2, d1] = [3, 2, 1].map((n) => new Date(at(n, 0)).toISOString().slice(0, 10)) as [string, string, string];
    const want = new Map<string, Map<string, number>>();
    const add = (day: string, row: string, n: number) => {
      const m = want.get(day) ?? new Map<string, number>();
      want.set(day, m.set(row, (m.get(row) ?? 0) + n));
    };
    add(d3, rowA, 3); // Spotify's plays of A under its own name-only id
    add(d2, rowA, 2); // ListenBrainz's plays of A join the row the name-only history opened
    add(d2, mbidB, 4); // B named first by its mbid
    add(d1, mbidB, 3); // Last.fm's name-only plays of B join it
    add(d2, mbidC1, 2); // C's first recording
    add(d2, mbidC2, 1); // C's second recording keeps its own row
    add(d1, mbidC1, 2); // Last.fm's name-only plays of C join the earliest id of its name (equal times: the smaller id)
    const stored = await storedCounts(h, user, daysBack(4));
    expect(stored).toEqual(asComparable(want));
    // the global counts use the same rows, and a rebuild from the raw listens finds the counters right
    const global = await storedGlobal(h, [d3, d2, d1]);
    for (const [day, rows] of want) for (const [row, n] of rows) expect(global.get(day)?.find(([s]) => s === row)?.[1]).toBe(n);
    const rebuilt = await rebuildCounts(createStore(h.db), { user, days: 4, dryRun: true });
    expect(rebuilt.fixes).toEqual([]);
    // the raw listens keep the ids their sources gave them
    const raw = await createStore(h.db).listens.named(user, d2);
    expect(new Set(raw.map((l) => l.song_id))).toEqual(new Set([mbidA, mbidB, mbidC1, mbidC2]));
  }, 180_000);
});
