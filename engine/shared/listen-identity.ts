import { createHash } from 'node:crypto';

/**
 * The identity rules of a listen (CONTRACT.md, "Identity of a listen").
 * A listen is the same listen when (user_id, source, listened_at, song_id) are equal.
 */

const DAY_MS = 86_400_000;

/** "h:" + sha1(lower(trim(artist)) + "\u0000" + lower(trim(title))) — the fallback song id. */
export function hashSongId(artist: string, title: string): string {
  const h = createHash('sha1');
  h.update(artist.trim().toLowerCase() + '\u0000' + title.trim().toLowerCase(), 'utf8');
  return 'h:' + h.digest('hex');
}

export interface ListenBrainzTrackMetadata {
  artist_name?: unknown;
  track_name?: unknown;
  release_name?: unknown;
  additional_info?: { recording_mbid?: unknown; recording_msid?: unknown; [k: string]: unknown } | null;
  mbid_mapping?: { recording_mbid?: unknown } | null;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * song_id of a ListenBrainz listen: additional_info.recording_mbid, else
 * recording_msid (top level, or inside additional_info in older payloads),
 * else the "h:" hash of artist and title. Undefined when artist/title are missing too.
 */
export function listenBrainzSongId(listen: { recording_msid?: unknown; track_metadata?: ListenBrainzTrackMetadata | null }): string | undefined {
  const tm = listen.track_metadata ?? undefined;
  const mbid = nonEmpty(tm?.additional_info?.recording_mbid);
  if (mbid) return mbid;
  const msid = nonEmpty(listen.recording_msid) ?? nonEmpty(tm?.additional_info?.recording_msid);
  if (msid) return msid;
  const artist = nonEmpty(tm?.artist_name);
  const title = nonEmpty(tm?.track_name);
  if (artist === undefined || title === undefined) return undefined;
  return hashSongId(artist, title);
}

/** day number → "YYYY-MM-DD": a handful of days cover every listen of a batch (the aggregator calls this per listen) */
const dayNames = new Map<number, string>();

/** The UTC date (YYYY-MM-DD) of a time in ms since epoch: the day of a listen. */
export function utcDay(ms: number): string {
  const n = Math.floor(ms / DAY_MS);
  let name = dayNames.get(n);
  if (name === undefined) {
    name = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size > 4096) dayNames.clear();
    dayNames.set(n, name);
  }
  return name;
}

/** Midnight UTC (ms) of a YYYY-MM-DD day. */
export function dayStartMs(day: string): number {
  return Date.parse(day + 'T00:00:00.000Z');
}

/** The `n` UTC days ending today (newest first): today, today-1, ... */
export function lastDays(n: number, nowMs = Date.now()): string[] {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(utcDay(today - i * DAY_MS));
  return out;
}

/** A string key of a listen's identity, for in-memory dedupe. */
export function identityKey(l: { user_id: string; source: string; listened_at: number; song_id: string }): string {
  return `${l.user_id}\u0001${l.source}\u0001${l.listened_at}\u0001${l.song_id}`;
}

export { DAY_MS };
