import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../../test/fixtures/zip-builder';
import { lastfmCsv, lastfmJson, lastfmTrack, listenBrainzListen, malojaExport, scrobblerLog, spotifyAccount, spotifyExtended } from '../../../test/fixtures/history-exports';
import type { Play } from '../../../test/fixtures/history-exports';
import { hashSongId } from '../../shared/listen-identity';
import { HistoryFile } from './history-file';
import { UnsupportedFormatError } from './import-reader';
import type { ImportItem } from './import-reader';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const plays: Play[] = Array.from({ length: 6 }, (_, i) => ({ start: T0 + i * 240_000, artist: `Artist ${i % 2}`, title: `Song, "${i}"`, album: 'Album', ms_played: 180_000 }));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'history-file-spec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Result {
  file: HistoryFile;
  listens: Array<{ listened_at: number; artist: string; title: string; song_id: string; album?: string }>;
  skipped: Record<string, number>;
}

function tally(file: HistoryFile, items: ImportItem[]): Result {
  const skipped: Record<string, number> = {};
  const listens: Result['listens'] = [];
  for (const it of items) {
    if ('skipped' in it) skipped[it.skipped] = (skipped[it.skipped] ?? 0) + 1;
    else listens.push(it.listen);
  }
  return { file, listens, skipped };
}

/** Reads `data` both from a path and as a stream in small chunks; both must agree. */
async function read(name: string, data: string | Buffer, timeZone?: string): Promise<Result> {
  const path = join(dir, name);
  await writeFile(path, data);
  const a = new HistoryFile({ filename: name, timeZone });
  const fromPath: ImportItem[] = [];
  for await (const batch of a.fromPath(path)) fromPath.push(...batch);
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  async function* chunks(): AsyncIterable<Buffer> {
    for (let i = 0; i < bytes.length; i += 97) yield bytes.subarray(i, i + 97);
  }
  const b = new HistoryFile({ filename: name, timeZone });
  const fromStream: ImportItem[] = [];
  for await (const batch of b.fromStream(chunks())) fromStream.push(...batch);
  expect(fromStream).toEqual(fromPath);
  expect(b.format).toBe(a.format);
  expect(a.bytesRead).toBe(bytes.length);
  return tally(a, fromPath);
}

const starts = (r: Result): number[] => r.listens.map((l) => l.listened_at).sort((x, y) => x - y);

describe('HistoryFile: each export format, told apart by content', () => {
  it('Spotify extended history: listened_at = ts − ms_played; incognito, < 30 s, podcasts and audiobooks skipped and counted', async () => {
    const entries = [
      ...plays.map((p) => spotifyExtended(p)),
      spotifyExtended(plays[0]!, { incognito_mode: true }),
      spotifyExtended({ ...plays[1]!, ms_played: 29_999 }),
      spotifyExtended(plays[2]!, { master_metadata_track_name: null, master_metadata_album_artist_name: null, episode_name: 'Ep 1', episode_show_name: 'Show', spotify_episode_uri: 'spotify:episode:x' }),
      spotifyExtended(plays[3]!, { master_metadata_track_name: null, master_metadata_album_artist_name: null, audiobook_title: 'Book', audiobook_uri: 'spotify:show:y' }),
    ];
    const r = await read('Streaming_History_Audio_2026.json', JSON.stringify(entries, null, 2));
    expect(r.file.format).toBe('spotify');
    expect(starts(r)).toEqual(plays.map((p) => p.start));
    expect(r.skipped).toEqual({ incognito: 1, played_under_30s: 1, podcast: 1, audiobook: 1 });
    expect(r.file.entries).toBe(10);
    expect(r.listens[0]!.song_id).toBe(hashSongId('Artist 0', 'Song, "0"'));
  });

  it('the Spotify data zip as downloaded: extended, older endsong and account-data files; video and other files ignored', async () => {
    const zip = buildZip([
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2026_0.json', data: JSON.stringify(plays.slice(0, 2).map((p) => spotifyExtended(p))) },
      { name: 'Spotify Extended Streaming History/Streaming_History_Video_2026.json', data: JSON.stringify([{ ts: 'x' }]) },
      { name: 'Spotify Extended Streaming History/ReadMeFirst_ExtendedStreamingHistory.pdf', data: Buffer.from('%PDF-1.4'), store: true },
      { name: 'MyData/endsong_0.json', data: JSON.stringify([spotifyExtended(plays[2]!)]) },
      { name: 'MyData/StreamingHistory_music_0.json', data: JSON.stringify(plays.slice(3).map(spotifyAccount)), store: true },
      { name: 'MyData/StreamingHistory_podcast_0.json', data: JSON.stringify([{ endTime: '2026-11-20 12:00', podcastName: 'P', episodeName: 'E', msPlayed: 900_000 }]) },
      { name: 'MyData/Userdata.json', data: '{"username":"x"}' },
    ]);
    const r = await read('my_spotify_data.zip', zip);
    expect(r.file.format).toBe('spotify-zip');
    expect(r.file.files).toHaveLength(4);
    // account data has minute precision: its starts are end-of-minute − ms_played
    const exact = plays.slice(0, 3).map((p) => p.start);
    const minute = plays.slice(3).map((p) => Math.floor((p.start + 180_000) / 60_000) * 60_000 - 180_000);
    expect(starts(r)).toEqual([...exact, ...minute].sort((a, b) => a - b));
    expect(r.skipped).toEqual({ podcast: 1 });
  });

  it('the ListenBrainz export zip (listens/YYYY/M.jsonl)', async () => {
    const zip = buildZip([
      { name: 'user.json', data: '{"user_id":1,"username":"x"}' },
      { name: 'listens/2026/10.jsonl', data: plays.slice(0, 2).map((p) => JSON.stringify(listenBrainzListen(p))).join('\n') + '\n' },
      { name: 'listens/2026/11.jsonl', data: plays.slice(2).map((p) => JSON.stringify(listenBrainzListen({ ...p, mbid: `mbid-${p.start}` }))).join('\n') + '\n{"broken\n' },
      { name: 'feedback.jsonl', data: '' },
    ]);
    const r = await read('listenbrainz_someone.zip', zip);
    expect(r.file.format).toBe('listenbrainz-zip');
    expect(starts(r)).toEqual(plays.map((p) => p.start));
    expect(r.skipped).toEqual({ malformed_json: 1 });
    expect(r.listens.filter((l) => l.song_id.startsWith('mbid-'))).toHaveLength(4);
  });

  it('the Last.fm CSV export, quoted fields included', async () => {
    const r = await read('recenttracks.csv', lastfmCsv(plays));
    expect(r.file.format).toBe('lastfm-csv');
    expect(starts(r)).toEqual(plays.map((p) => p.start));
    expect(r.listens.map((l) => l.title).sort()).toEqual(plays.map((p) => p.title).sort());
    expect(r.skipped).toEqual({});
  });

  it('the Last.fm JSON export (pages of getRecentTracks), the now-playing entry skipped', async () => {
    const pages = JSON.parse(lastfmJson(plays, 4)) as Array<{ track: unknown[] }>;
    pages[0]!.track.unshift(lastfmTrack(plays[0]!, true));
    const r = await read('recenttracks-someone.json', JSON.stringify(pages));
    expect(r.file.format).toBe('lastfm-json');
    expect(starts(r)).toEqual(plays.map((p) => p.start));
    expect(r.skipped).toEqual({ now_playing: 1 });
    expect(r.file.entries).toBe(7);
  });

  it('.scrobbler.log #TZ/UTC: only L rows count', async () => {
    const r = await read('.scrobbler.log', scrobblerLog([...plays, { ...plays[0]!, start: T0 + 3_600_000, skipped: true }]));
    expect(r.file.format).toBe('scrobbler-log');
    expect(starts(r)).toEqual(plays.map((p) => p.start));
    expect(r.skipped).toEqual({ skipped_on_device: 1 });
  });

  it('.scrobbler.log #TZ/UNKNOWN: local device times converted in the given time zone (DST included)', async () => {
    // Amsterdam is UTC+1 in November, UTC+2 in July
    const summer = Date.UTC(2026, 6, 1, 10, 0, 0);
    const log = scrobblerLog(
      [
        { start: T0, artist: 'A', title: 'Winter' },
        { start: summer, artist: 'A', title: 'Summer' },
      ],
      'UNKNOWN',
      (ms) => ms + (ms === summer ? 2 : 1) * 3_600_000,
    );
    const r = await read('scrobbler.log', log, 'Europe/Amsterdam');
    expect(starts(r)).toEqual([summer, T0]);
  });

  it('the Maloja export (scrobbles under a top-level key)', async () => {
    const r = await read('maloja_export_2026_11_20.json', malojaExport(plays));
    expect(r.file.format).toBe('maloja');
    expect(starts(r)).toEqual(plays.map((p) => p.start));
  });

  it('ListenBrainz JSON and JSON lines still import', async () => {
    const json = await read('listens.json', JSON.stringify(plays.map((p) => listenBrainzListen(p))));
    expect(json.file.format).toBe('listenbrainz-json');
    const lines = await read('listens.jsonl', plays.map((p) => JSON.stringify(listenBrainzListen(p))).join('\n'));
    expect(lines.file.format).toBe('listenbrainz-jsonl');
    expect(starts(lines)).toEqual(plays.map((p) => p.start));
  });
});

describe('HistoryFile: files in no supported format are refused, naming what is accepted', () => {
  const cases: Array<[string, string | Buffer]> = [
    ['notes.txt', 'just some notes\nabout music\n'],
    ['other.csv', 'date,amount\n2026-01-01,3\n'],
    ['photos.zip', buildZip([{ name: 'a.jpg', data: Buffer.from([0xff, 0xd8, 0xff]) }])],
    ['empty.json', ''],
    ['config.json', JSON.stringify([{ name: 'x', value: 1 }, { name: 'y', value: 2 }])],
    ['broken.jsonl', '{not json\n{nor this\n'],
  ];
  for (const [name, data] of cases) {
    it(name, async () => {
      const err = await read(name, data).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedFormatError);
      expect((err as Error).message).toMatch(/Accepted: a Spotify data zip .*ListenBrainz.*Last\.fm CSV or JSON.*\.scrobbler\.log.*Maloja/);
    });
  }
});
