import { hashSongId } from '../../shared/listen-identity';
import { fromListenBrainz } from '../sources/listenbrainz';
import type { SourceListen } from '../sources/types';

/** One entry of an export: a listen, or the reason it was skipped. */
export type ImportItem = { listen: SourceListen } | { skipped: string };

/** Spotify counts a stream as a listen from 30 s of play on (ListenBrainz's importer skips shorter ones too). */
export const SPOTIFY_MIN_MS_PLAYED = 30_000;

/** a play lasts from 0 ms to a day (a stream left running) */
const playedMs = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 86_400_000;

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** a history repeats its tracks: their hashed ids are remembered (bounded), by artist then title (no key string to build) */
const hashed = new Map<string, Map<string, string>>();
let hashedCount = 0;
function songId(artist: string, title: string): string {
  let byTitle = hashed.get(artist);
  if (byTitle === undefined) {
    if (hashedCount >= 50_000) {
      hashed.clear();
      hashedCount = 0;
    }
    byTitle = new Map();
    hashed.set(artist, byTitle);
  }
  let id = byTitle.get(title);
  if (id === undefined) {
    id = hashSongId(artist, title);
    byTitle.set(title, id);
    hashedCount++;
  }
  return id;
}

const digits = (s: string, at: number, n: number): number => {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
};

/**
 * ms of an ISO 8601 UTC time as Date.parse reads it. Spotify's `ts` is always
 * "YYYY-MM-DDTHH:MM:SSZ": that shape is computed from its digits (days from
 * the civil date, no Date call per entry); any other text goes to Date.parse.
 */
export function parseUtc(s: string): number {
  if (s.length === 20 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && s.charCodeAt(19) === 90) {
    const y = digits(s, 0, 4);
    const m = digits(s, 5, 2);
    const d = digits(s, 8, 2);
    const hh = digits(s, 11, 2);
    const mm = digits(s, 14, 2);
    const ss = digits(s, 17, 2);
    // days 29..31 and out-of-range fields: Date.parse decides (it rolls Feb 30 over, refuses second 60)
    if (m >= 1 && m <= 12 && d >= 1 && d <= 28 && hh <= 23 && mm <= 59 && ss <= 59) {
      // days from 1970-01-01 of a proleptic Gregorian date (the era-based civil-date algorithm)
      const yy = m <= 2 ? y - 1 : y;
      const era = Math.floor(yy / 400);
      const yoe = yy - era * 400;
      const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
      const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
      const days = era * 146_097 + doe - 719_468;
      return days * 86_400_000 + hh * 3_600_000 + mm * 60_000 + ss * 1000;
    }
  }
  return Date.parse(s);
}

function listen(at: number, artist: string, title: string, album: string, mbid?: string): SourceListen {
  const l: SourceListen = { listened_at: at, song_id: mbid || songId(artist, title), title, artist };
  if (album) l.album = album;
  return l;
}

/**
 * Spotify Extended Streaming History (`Streaming_History_Audio_*.json`, older `endsong_*.json`):
 * `ts` is when the play ENDED, so listened_at = ts − ms_played.
 */
export function fromSpotifyExtended(e: Record<string, unknown>): ImportItem {
  const ts = typeof e.ts === 'string' ? parseUtc(e.ts) : NaN;
  if (!Number.isFinite(ts)) return { skipped: 'invalid_ts' };
  if (!playedMs(e.ms_played)) return { skipped: 'invalid_ms_played' };
  if (e.incognito_mode === true) return { skipped: 'incognito' };
  if (text(e.spotify_episode_uri) || text(e.episode_name)) return { skipped: 'podcast' };
  if (text(e.audiobook_uri) || text(e.audiobook_title) || text(e.audiobook_chapter_uri)) return { skipped: 'audiobook' };
  if (e.ms_played < SPOTIFY_MIN_MS_PLAYED) return { skipped: 'played_under_30s' };
  const title = text(e.master_metadata_track_name);
  const artist = text(e.master_metadata_album_artist_name);
  if (!title || !artist) return { skipped: 'not_a_track' }; // local files without tags, video
  return { listen: listen(Math.round(ts - e.ms_played), artist, title, text(e.master_metadata_album_album_name)) };
}

/**
 * Spotify account data (`StreamingHistory*.json`): `endTime` "YYYY-MM-DD HH:MM" in UTC, minute
 * precision, when the play ended; podcast files carry `podcastName`/`episodeName` instead.
 */
export function fromSpotifyAccount(e: Record<string, unknown>): ImportItem {
  const m = typeof e.endTime === 'string' ? /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(e.endTime.trim()) : null;
  const end = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0) : NaN;
  if (!Number.isFinite(end)) return { skipped: 'invalid_end_time' };
  if (!playedMs(e.msPlayed)) return { skipped: 'invalid_ms_played' };
  if (text(e.podcastName) || text(e.episodeName)) return { skipped: 'podcast' };
  if (text(e.audiobookName) || text(e.chapterName)) return { skipped: 'audiobook' };
  if (e.msPlayed < SPOTIFY_MIN_MS_PLAYED) return { skipped: 'played_under_30s' };
  const title = text(e.trackName);
  const artist = text(e.artistName);
  if (!title || !artist || title === 'Unknown Track') return { skipped: 'not_a_track' };
  return { listen: listen(Math.round(end - e.msPlayed), artist, title, '') };
}

/** One ListenBrainz export entry (the API's listen shape; listened_at in seconds or ISO 8601). */
export function fromListenBrainzExport(e: Record<string, unknown>): ImportItem {
  let la = e.listened_at;
  if (typeof la === 'string') {
    const p = Date.parse(la);
    la = Number.isFinite(p) ? Math.floor(p / 1000) : undefined;
  }
  if (typeof la !== 'number' || !Number.isInteger(la) || la <= 0) return { skipped: 'invalid_listened_at' };
  const l = fromListenBrainz({ ...e, listened_at: la } as Parameters<typeof fromListenBrainz>[0]);
  return l ? { listen: l } : { skipped: 'missing_track_metadata' };
}

/** `{"#text": "…", "mbid": "…"}` (Last.fm JSON) or a plain string. */
function lfmText(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'object' && v !== null) return text((v as Record<string, unknown>)['#text'] ?? (v as Record<string, unknown>).name);
  return '';
}

/**
 * One track of Last.fm's `user.getRecentTracks` answer — also each track of the JSON export of
 * lastfm.ghan.nl, which saves those answers' pages. The now-playing entry has no date.
 */
export function fromLastfmTrack(t: Record<string, unknown>): ImportItem {
  const attr = t['@attr'] as Record<string, unknown> | undefined;
  if (attr && (attr.nowplaying === 'true' || attr.nowplaying === true)) return { skipped: 'now_playing' };
  const date = t.date as Record<string, unknown> | undefined;
  const uts = typeof date === 'object' && date !== null ? Number(date.uts) : NaN;
  if (!Number.isSafeInteger(uts) || uts <= 0) return { skipped: 'invalid_timestamp' };
  const artist = lfmText(t.artist);
  const title = text(t.name);
  if (!artist || !title) return { skipped: 'missing_artist_or_title' };
  return { listen: listen(uts * 1000, artist, title, lfmText(t.album), text(t.mbid)) };
}

/** The column order of the Last.fm CSV export (lastfm.ghan.nl). */
export const LASTFM_CSV_HEADER = ['uts', 'utc_time', 'artist', 'artist_mbid', 'album', 'album_mbid', 'track', 'track_mbid'] as const;

/** One row of the Last.fm CSV export, fields in LASTFM_CSV_HEADER order. */
export function fromLastfmCsv(f: string[]): ImportItem {
  if (f.length < LASTFM_CSV_HEADER.length) return { skipped: 'malformed_row' };
  const uts = /^\d+$/.test(f[0]!.trim()) ? Number(f[0]!.trim()) : NaN;
  if (!Number.isSafeInteger(uts) || uts <= 0) return { skipped: 'invalid_timestamp' };
  const artist = f[2]!.trim();
  const title = f[6]!.trim();
  if (!artist || !title) return { skipped: 'missing_artist_or_title' };
  return { listen: listen(uts * 1000, artist, title, f[4]!.trim(), f[7]!.trim()) };
}

/** One scrobble of a Maloja export (`{"scrobbles": [{"time", "track": {"artists", "title", "album"}}]}`). */
export function fromMaloja(e: Record<string, unknown>): ImportItem {
  const time = e.time;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time <= 0) return { skipped: 'invalid_time' };
  const track = (typeof e.track === 'object' && e.track !== null ? e.track : {}) as Record<string, unknown>;
  const artists = Array.isArray(track.artists) ? track.artists.filter((a): a is string => typeof a === 'string' && a.trim() !== '').map((a) => a.trim()) : [];
  const title = text(track.title);
  if (artists.length === 0 || !title) return { skipped: 'missing_artist_or_title' };
  const album = typeof track.album === 'object' && track.album !== null ? text((track.album as Record<string, unknown>).albumtitle) : '';
  return { listen: listen(time * 1000, artists.join(', '), title, album) };
}

/** How a `.scrobbler.log` maps its times to UTC: `#TZ/UTC`, or `#TZ/UNKNOWN` (the device's local time). */
export interface ScrobblerLogClock {
  /** true for #TZ/UNKNOWN: timestamps are local wall-clock times of the device */
  local: boolean;
  /** the time zone the importing computer treats them in (IANA name) */
  timeZone: string;
}

/**
 * One row of an Audioscrobbler 1.1 `.scrobbler.log`: artist, album, title, track number, duration,
 * rating (L listened / S skipped), timestamp, track mbid — tab-separated. Only L rows are listens.
 */
export function fromScrobblerLog(line: string, clock: ScrobblerLogClock): ImportItem {
  const f = line.split('\t');
  if (f.length < 7) return { skipped: 'malformed_row' };
  const rating = f[5]!.trim();
  if (rating === 'S') return { skipped: 'skipped_on_device' };
  if (rating !== 'L') return { skipped: 'malformed_row' };
  const ts = /^\d+$/.test(f[6]!.trim()) ? Number(f[6]!.trim()) : NaN;
  if (!Number.isSafeInteger(ts) || ts <= 0) return { skipped: 'invalid_timestamp' };
  const artist = f[0]!.trim();
  const title = f[2]!.trim();
  if (!artist || !title) return { skipped: 'missing_artist_or_title' };
  const at = clock.local ? localToUtc(ts * 1000, clock.timeZone) : ts * 1000;
  return { listen: listen(at, artist, title, f[1]!.trim(), (f[7] ?? '').trim()) };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset (ms) of `timeZone` from UTC at the instant `utcMs`. */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** A local wall-clock time (ms, read as if it were UTC) in `timeZone` → the real UTC instant. */
export function localToUtc(localMs: number, timeZone: string): number {
  const guess = localMs - zoneOffsetMs(localMs, timeZone);
  return localMs - zoneOffsetMs(guess, timeZone);
}
