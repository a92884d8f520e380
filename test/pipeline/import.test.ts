import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrawlService } from '../../engine/crawler/crawl-service';
import { asComparable, createHarness, daysBack, expectedCounts, hSongId, storedCounts, uid, waitForLag0 } from './harness';
import type { Harness } from './harness';

let h: Harness;
let service: CrawlService;

beforeAll(async () => {
  h = await createHarness();
  await h.startAggregator();
  service = h.crawlService();
}, 120_000);

afterAll(() => h?.close(), 60_000);

/** Feed text in small uneven chunks so entries straddle chunk boundaries. */
function chunked(text: string): Readable {
  const buf = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0, n = 7; i < buf.length; i += n, n = (n * 7) % 61 + 3) parts.push(buf.subarray(i, i + n));
  return Readable.from(parts);
}

const HOUR = 3_600_000;

describe('file import', () => {
  it('ListenBrainz JSON lines: counts good lines, reports malformed ones', async () => {
    const user = uid('lbjsonl');
    const now = Date.now();
    const sec = (ms: number) => Math.floor(ms / 1000);
    const good = [
      { listened_at: sec(now - HOUR), recording_msid: 'm1', track_metadata: { artist_name: 'A', track_name: 'One', additional_info: { recording_mbid: 'mb-1' } } },
      { listened_at: sec(now - 2 * HOUR), recording_msid: 'm2', track_metadata: { artist_name: 'A', track_name: 'Two' } },
      { listened_at: sec(now - 3 * HOUR), track_metadata: { artist_name: ' Ünïcode Artist ', track_name: 'Sóng "quoted" \\ back' } },
      { listened_at: sec(now - 3 * HOUR), track_metadata: { artist_name: ' Ünïcode Artist ', track_name: 'Sóng "quoted" \\ back' } }, // exact duplicate
    ];
    const lines = [
      ...good.map((g) => JSON.stringify(g)),
      '{"listened_at": 17000, "track_metadata": ', // truncated JSON
      '[1, 2]',
      JSON.stringify({ listened_at: sec(now - HOUR), track_metadata: { artist_name: 'No title' } }),
      JSON.stringify({ listened_at: 'not a time', track_metadata: { artist_name: 'A', track_name: 'B' } }),
      '',
    ];
    const report = await service.importFile(user, chunked(lines.join('\n')), 'listens.jsonl');
    expect(report).toMatchObject({ format: 'listenbrainz-jsonl', lines_read: 8, listens_accepted: 4, skipped: 4, state: 'done' });
    expect(report.skipped_reasons).toEqual({ malformed_json: 1, not_an_object: 1, missing_track_metadata: 1, invalid_listened_at: 1 });
    await waitForLag0(h);
    const expected = expectedCounts([
      { user_id: user, source: 'import:listenbrainz', listened_at: good[0]!.listened_at * 1000, song_id: 'mb-1' },
      { user_id: user, source: 'import:listenbrainz', listened_at: good[1]!.listened_at * 1000, song_id: 'm2' },
      { user_id: user, source: 'import:listenbrainz', listened_at: good[2]!.listened_at * 1000, song_id: hSongId(' Ünïcode Artist ', 'Sóng "quoted" \\ back') },
      { user_id: user, source: 'import:listenbrainz', listened_at: good[3]!.listened_at * 1000, song_id: hSongId(' Ünïcode Artist ', 'Sóng "quoted" \\ back') },
    ]);
    expect(await storedCounts(h, user, daysBack(2))).toEqual(asComparable(expected.get(user)));
    const crawl = await service.getCrawl(report.crawl_id);
    expect(crawl).toMatchObject({ trigger: 'import', source: 'import', state: 'done' });
  }, 90_000);

  it('ListenBrainz JSON array export', async () => {
    const user = uid('lbjson');
    const now = Date.now();
    const entries = Array.from({ length: 30 }, (_, i) => ({
      listened_at: Math.floor((now - i * 1.5 * HOUR) / 1000),
      recording_msid: `msid-${i % 4}`,
      track_metadata: { artist_name: 'Band', track_name: `Song ${i % 4}`, release_name: 'LP' },
    }));
    const text = '[\n' + entries.map((e) => JSON.stringify(e)).join(',\n') + ',\n{"listened_at": oops},\n42\n]\n';
    const report = await service.importFile(user, chunked(text), 'listens.json');
    expect(report).toMatchObject({ format: 'listenbrainz-json', lines_read: 32, listens_accepted: 30, skipped: 2 });
    expect(report.skipped_reasons).toEqual({ malformed_json: 1, not_an_object: 1 });
    await waitForLag0(h);
    const expected = expectedCounts(entries.map((e) => ({ user_id: user, source: 'import:listenbrainz', listened_at: e.listened_at * 1000, song_id: e.recording_msid })));
    expect(await storedCounts(h, user, daysBack(4))).toEqual(asComparable(expected.get(user)));
  }, 90_000);

  it('Spotify Extended Streaming History: starts at ts − ms_played; ms_played ≥ 30 000 counts, podcasts, incognito and short plays do not', async () => {
    const user = uid('spotify');
    const now = Date.now();
    const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const track = (i: number, ms: number, at: number) => ({
      ts: iso(at),
      platform: 'android',
      ms_played: ms,
      conn_country: 'NL',
      master_metadata_track_name: `Tune ${i}`,
      master_metadata_album_artist_name: `Artist ${i % 2}`,
      master_metadata_album_album_name: 'Album',
      spotify_track_uri: `spotify:track:${i}`,
      episode_name: null,
      reason_start: 'trackdone',
      reason_end: 'trackdone',
      shuffle: false,
      skipped: false,
    });
    const entries: unknown[] = [
      track(1, 30_000, now - HOUR), // exactly 30 s: counts
      track(2, 29_999, now - 2 * HOUR), // too short
      track(3, 200_000, now - 3 * HOUR),
      track(1, 180_000, now - 4 * HOUR),
      { ...track(4, 900_000, now - 5 * HOUR), master_metadata_track_name: null, master_metadata_album_artist_name: null, episode_name: 'A podcast' },
      { ...track(5, 100_000, now - 6 * HOUR), ts: 'garbage' },
      { ...track(7, 100_000, now - 7 * HOUR), incognito_mode: true },
      track(6, 120_000, now - 30 * 86_400_000), // older than retention
    ];
    const text = JSON.stringify(entries, null, 2);
    const report = await service.importFile(user, chunked(text), 'Streaming_History_Audio_2024.json');
    expect(report).toMatchObject({ format: 'spotify', lines_read: 8, listens_accepted: 3, skipped: 5 });
    expect(report.skipped_reasons).toEqual({ played_under_30s: 1, podcast: 1, invalid_ts: 1, incognito: 1, older_than_retention: 1 });
    await waitForLag0(h);
    const counted = [entries[0], entries[2], entries[3]] as Array<ReturnType<typeof track>>;
    const expected = expectedCounts(
      counted.map((e) => ({ user_id: user, source: 'import:spotify', listened_at: Date.parse(e.ts) - e.ms_played, song_id: hSongId(e.master_metadata_album_artist_name, e.master_metadata_track_name) })),
    );
    expect(await storedCounts(h, user, daysBack(2))).toEqual(asComparable(expected.get(user)));
  }, 90_000);
});
