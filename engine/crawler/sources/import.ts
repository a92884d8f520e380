import { hashSongId } from '../../shared/listen-identity';
import { fromListenBrainz } from './listenbrainz';
import type { SourceListen } from './types';

export type ImportFormat = 'listenbrainz-json' | 'listenbrainz-jsonl' | 'spotify';

export type ImportItem = { listen: SourceListen } | { skipped: string };

/** Spotify counts a stream as a listen from 30 s of play on. */
export const SPOTIFY_MIN_MS_PLAYED = 30_000;
const MAX_ENTRY_CHARS = 1 << 20;

/** One entry of a Spotify Extended Streaming History file (Streaming_History_Audio_*.json). */
export function fromSpotify(e: Record<string, unknown>): ImportItem {
  const ts = typeof e.ts === 'string' ? Date.parse(e.ts) : NaN;
  if (!Number.isFinite(ts)) return { skipped: 'invalid_ts' };
  if (typeof e.ms_played !== 'number' || !Number.isFinite(e.ms_played)) return { skipped: 'invalid_ms_played' };
  if (e.ms_played < SPOTIFY_MIN_MS_PLAYED) return { skipped: 'played_under_30s' };
  const title = typeof e.master_metadata_track_name === 'string' ? e.master_metadata_track_name.trim() : '';
  const artist = typeof e.master_metadata_album_artist_name === 'string' ? e.master_metadata_album_artist_name.trim() : '';
  if (!title || !artist) return { skipped: 'not_a_track' }; // podcast episodes, audiobooks, local files without tags
  const listen: SourceListen = { listened_at: ts, song_id: hashSongId(artist, title), title, artist };
  const album = e.master_metadata_album_album_name;
  if (typeof album === 'string' && album.trim()) listen.album = album.trim();
  return { listen };
}

/** One ListenBrainz export entry (same shape as the API's listens; listened_at may be seconds or ISO). */
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

function classify(o: Record<string, unknown>): 'spotify' | 'listenbrainz' | undefined {
  if ('ms_played' in o || 'master_metadata_track_name' in o) return 'spotify';
  if ('track_metadata' in o || 'listened_at' in o) return 'listenbrainz';
  return undefined;
}

/**
 * Streaming reader of an import file: a JSON array (ListenBrainz export or
 * Spotify history) or JSON lines (ListenBrainz export). Never holds more
 * than one entry in memory; malformed entries become `{skipped: reason}`.
 */
export class ImportReader {
  format: ImportFormat | undefined;
  entries = 0;

  constructor(private readonly filename?: string) {}

  async *read(stream: AsyncIterable<Buffer | string>): AsyncIterable<ImportItem> {
    for await (const text of this.entriesOf(stream)) {
      this.entries++;
      if (text === null) {
        yield { skipped: 'malformed_json' };
        continue;
      }
      let o: unknown;
      try {
        o = JSON.parse(text);
      } catch {
        yield { skipped: 'malformed_json' };
        continue;
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) {
        yield { skipped: 'not_an_object' };
        continue;
      }
      const rec = o as Record<string, unknown>;
      const kind = classify(rec);
      if (this.format === undefined && kind !== undefined && this.mode === 'array') {
        this.format = kind === 'spotify' ? 'spotify' : 'listenbrainz-json';
      }
      if (kind === 'spotify') yield fromSpotify(rec);
      else if (kind === 'listenbrainz') yield fromListenBrainzExport(rec);
      else yield { skipped: 'unknown_entry' };
    }
    if (this.format === undefined) {
      this.format = this.mode === 'lines' ? 'listenbrainz-jsonl' : /streaming_history/i.test(this.filename ?? '') ? 'spotify' : 'listenbrainz-json';
    }
  }

  private mode: 'array' | 'lines' | undefined;

  /** Yields each top-level entry's text (null for a broken one). */
  private async *entriesOf(stream: AsyncIterable<Buffer | string>): AsyncIterable<string | null> {
    const decoder = new TextDecoder('utf-8');
    let buf = '';
    // array-mode scanner state
    let depth = 0;
    let inString = false;
    let escaped = false;
    let start = -1;
    let pos = 0;
    let opened = false;
    let closed = false;
    const flushLines = function* (final: boolean): Generator<string> {
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield line;
      }
      if (final && buf.trim()) {
        yield buf.trim();
        buf = '';
      }
    };
    for await (const chunk of stream) {
      buf += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      if (this.mode === undefined) {
        const first = buf.replace(/^\uFEFF/, '').trimStart()[0];
        if (first === undefined) continue;
        this.mode = first === '[' ? 'array' : 'lines';
        if (this.mode === 'lines') this.format = 'listenbrainz-jsonl';
        buf = buf.replace(/^\uFEFF/, '').trimStart();
      }
      if (this.mode === 'lines') {
        yield* flushLines(false);
        continue;
      }
      // array mode: scan characters, cut complete top-level elements
      for (; pos < buf.length; pos++) {
        const c = buf[pos]!;
        if (!opened) {
          if (c === '[') opened = true;
          continue;
        }
        if (closed) continue;
        if (start < 0) {
          if (c === ']') closed = true;
          else if (c === '{' || c === '[') {
            start = pos;
            depth = 1;
          } else if (c !== ',' && !/\s/.test(c)) {
            start = pos; // a primitive element: runs to the next ',' or ']'
            depth = 0;
          }
          continue;
        }
        if (depth === 0) {
          if (c === ',' || c === ']') {
            yield buf.slice(start, pos);
            start = -1;
            if (c === ']') closed = true;
          }
          continue;
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '"') inString = false;
          continue;
        }
        if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) {
            yield buf.slice(start, pos + 1);
            start = -1;
          }
        }
      }
      // drop consumed text
      const keep = start >= 0 ? start : pos;
      if (keep > 0) {
        buf = buf.slice(keep);
        pos -= keep;
        if (start >= 0) start = 0;
      }
      if (start >= 0 && buf.length > MAX_ENTRY_CHARS) {
        // an entry this large is not a listen; resynchronising inside it is guesswork
        throw new Error('import entry larger than 1 MiB: not a ListenBrainz or Spotify export');
      }
    }
    buf += decoder.decode();
    if (this.mode === 'lines') yield* flushLines(true);
    else if (this.mode === 'array' && !closed) {
      // the file ends inside the array (cut short by a failed upload or copy): the entries
      // after the cut are unknown, so the import must not be reported as complete
      if (start >= 0) yield null;
      throw new Error('import file is truncated: the JSON array is never closed');
    }
  }
}
