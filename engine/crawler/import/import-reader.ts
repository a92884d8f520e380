import { fromLastfmCsv, fromLastfmTrack, fromListenBrainzExport, fromMaloja, fromScrobblerLog, fromSpotifyAccount, fromSpotifyExtended, LASTFM_CSV_HEADER } from './entry-parsers';
import type { ImportItem, ScrobblerLogClock } from './entry-parsers';
import { jsonArrayElements, parseElement, textLines } from './json-elements';
import type { JsonElement } from './json-elements';
import { StringDecoder } from 'node:string_decoder';
import { csvFields } from './csv-fields';

export type { ImportItem } from './entry-parsers';

export type ImportFormat =
  | 'spotify'
  | 'spotify-account'
  | 'spotify-zip'
  | 'listenbrainz-json'
  | 'listenbrainz-jsonl'
  | 'listenbrainz-zip'
  | 'lastfm-csv'
  | 'lastfm-json'
  | 'scrobbler-log'
  | 'maloja';

/**
 * The `source` of an imported listen: `import:<service>`, so the same play imported from two
 * services' exports (or imported and crawled) meets the cross-source rule (engine/shared/same-play.ts),
 * while overlapping exports of one service share exact identities and dedupe as replays.
 */
export function importSource(format: ImportFormat | undefined): string {
  if (format === undefined) return 'import';
  if (format.startsWith('spotify')) return 'import:spotify';
  if (format.startsWith('listenbrainz')) return 'import:listenbrainz';
  if (format.startsWith('lastfm')) return 'import:lastfm';
  return `import:${format}`;
}

/** What the import accepts, as the refusal of any other file names it. */
export const ACCEPTED_FORMATS =
  'a Spotify data zip (my_spotify_data.zip) or its Streaming_History_Audio_*.json, endsong_*.json or StreamingHistory*.json files; ' +
  'a ListenBrainz export zip or its listens as JSON or JSON lines; a Last.fm CSV or JSON export (lastfm.ghan.nl); ' +
  'a .scrobbler.log (Audioscrobbler 1.1); a Maloja export (JSON)';

/** A file in no supported format: refused before anything is published (HTTP 400, CLI exit 2). */
export class UnsupportedFormatError extends Error {
  constructor(what: string) {
    super(`${what}: not a listening history this app can import. Accepted: ${ACCEPTED_FORMATS}`);
    this.name = 'UnsupportedFormatError';
  }
}

/** entries read without a single one in a known shape before the file counts as unsupported */
const RECOGNITION_WINDOW = 100;

type EntryKind = 'spotify' | 'spotify-account' | 'listenbrainz' | 'lastfm-page' | 'lastfm-track' | 'maloja';

function classify(o: Record<string, unknown>): EntryKind | undefined {
  if ('ms_played' in o || 'master_metadata_track_name' in o || 'spotify_track_uri' in o) return 'spotify';
  if ('msPlayed' in o || 'endTime' in o) return 'spotify-account';
  if ('track_metadata' in o || 'listened_at' in o) return 'listenbrainz';
  if (Array.isArray(o.track)) return 'lastfm-page';
  if ('date' in o && 'artist' in o && 'name' in o) return 'lastfm-track';
  if ('time' in o && typeof o.track === 'object') return 'maloja';
  return undefined;
}

export interface ImportReaderOptions {
  filename?: string;
  /** time zone of `.scrobbler.log` files marked #TZ/UNKNOWN (default: this computer's) */
  timeZone?: string;
  /** the format a zip entry's name promises, for a file whose entries do not tell */
  expect?: ImportFormat;
}

/** Text of a byte stream, counting the bytes consumed (progress); a character cut between chunks is completed by the next. */
async function* decode(stream: AsyncIterable<Buffer | string>, count: (n: number) => void): AsyncIterable<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of stream) {
    if (typeof chunk === 'string') {
      count(Buffer.byteLength(chunk));
      yield chunk;
    } else {
      count(chunk.length);
      yield decoder.write(chunk);
    }
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Replays a peeked head, then the rest of the stream. */
async function* prepend(head: string[], rest: AsyncIterator<string>): AsyncIterable<string> {
  yield* head;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

/**
 * Streaming reader of one history file in any text format (JSON array, JSON
 * lines, CSV, .scrobbler.log, Maloja's JSON object), told apart by content.
 * Holds one entry at a time; an entry it cannot use becomes `{skipped: reason}`;
 * a file in no known format throws UnsupportedFormatError before any listen.
 */
export class ImportReader {
  format: ImportFormat | undefined;
  /** entries read (listens and skipped ones) */
  entries = 0;
  bytesRead = 0;
  private recognised = 0;

  constructor(private readonly o: ImportReaderOptions = {}) {}

  /** Entries one by one (see batches()). */
  async *read(stream: AsyncIterable<Buffer | string>): AsyncIterable<ImportItem> {
    for await (const batch of this.batches(stream)) yield* batch;
  }

  /** Entries in batches (about one per chunk read): the per-entry cost stays that of parsing. */
  async *batches(stream: AsyncIterable<Buffer | string>): AsyncIterable<ImportItem[]> {
    const it = decode(stream, (n) => (this.bytesRead += n))[Symbol.asyncIterator]();
    const head: string[] = [];
    let peek = '';
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      head.push(r.value);
      peek += r.value;
      if (peek.replace(/^\uFEFF/, '').trimStart().length >= 512 || peek.length > 65536) break;
    }
    const text = prepend(head, it);
    const start = peek.replace(/^\uFEFF/, '').trimStart();
    const firstLine = start.slice(0, start.search(/\r?\n|$/));
    if (start === '') throw new UnsupportedFormatError('the file is empty');
    if (/^#AUDIOSCROBBLER\//i.test(start) || /^#TZ\//i.test(start)) {
      this.format = 'scrobbler-log';
      yield* this.scrobblerLog(text);
    } else if (firstLine.replace(/"/g, '').trim().toLowerCase().startsWith(LASTFM_CSV_HEADER.slice(0, 3).join(','))) {
      this.format = 'lastfm-csv';
      yield* this.lastfmCsv(text);
    } else if (start[0] === '[') {
      for await (const ts of jsonArrayElements(text)) yield this.entries_(ts, undefined);
      if (this.format === undefined) this.format = this.o.expect ?? 'listenbrainz-json';
    } else if (start[0] === '{' && /^\{\s*"(scrobbles|maloja)"\s*:/.test(start)) {
      this.format = 'maloja';
      for await (const ts of jsonArrayElements(text, 'scrobbles')) yield this.entries_(ts, 'maloja');
    } else if (start[0] === '{') {
      this.format = 'listenbrainz-jsonl';
      for await (const lines of textLines(text)) yield this.entries_(lines.map(parseElement), 'listenbrainz');
    } else {
      throw new UnsupportedFormatError(this.o.filename ? `"${this.o.filename}"` : 'the file');
    }
    // entries, none of them a listen in any known shape (a CSV of something else, a log without L/S rows…)
    if (this.entries > 0 && this.recognised === 0) throw new UnsupportedFormatError(`no entry of ${this.o.filename ? `"${this.o.filename}"` : 'the file'} is a listen`);
  }

  private entries_(values: JsonElement[], expected: EntryKind | undefined): ImportItem[] {
    const out: ImportItem[] = [];
    for (const v of values) this.entry(v, expected, out);
    return out;
  }

  /** One JSON entry (parsed, MALFORMED or TRUNCATED): classified (the first known one names the file's format), converted. */
  private entry(o: JsonElement, expected: EntryKind | undefined, out: ImportItem[]): void {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      this.entries++;
      this.checkRecognised();
      out.push({ skipped: typeof o === 'symbol' ? 'malformed_json' : 'not_an_object' });
      return;
    }
    const rec = o as Record<string, unknown>;
    const known = classify(rec);
    const kind = known ?? expected;
    if (kind === 'lastfm-page') {
      this.format ??= 'lastfm-json';
      this.recognised++;
      for (const tr of rec.track as unknown[]) {
        this.entries++;
        out.push(typeof tr === 'object' && tr !== null ? fromLastfmTrack(tr as Record<string, unknown>) : { skipped: 'not_an_object' });
      }
      return;
    }
    this.entries++;
    if (kind === undefined) {
      this.checkRecognised();
      out.push({ skipped: 'unknown_entry' });
      return;
    }
    if (known !== undefined) this.recognised++;
    else this.checkRecognised();
    if (this.format === undefined) this.format = FORMAT_OF[kind];
    out.push(CONVERT[kind](rec));
  }

  private checkRecognised(): void {
    if (this.recognised === 0 && this.entries >= RECOGNITION_WINDOW) {
      throw new UnsupportedFormatError(`none of the first ${RECOGNITION_WINDOW} entries of ${this.o.filename ? `"${this.o.filename}"` : 'the file'} is a listen`);
    }
  }

  private async *lastfmCsv(text: AsyncIterable<string>): AsyncIterable<ImportItem[]> {
    let header = true;
    for await (const rows of csvFields(textLines(text))) {
      const out: ImportItem[] = [];
      for (const fields of rows) {
        if (header) {
          header = false;
          continue;
        }
        this.entries++;
        this.recognised++;
        out.push(fromLastfmCsv(fields));
      }
      yield out;
    }
  }

  private async *scrobblerLog(text: AsyncIterable<string>): AsyncIterable<ImportItem[]> {
    const clock: ScrobblerLogClock = { local: false, timeZone: this.o.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone };
    for await (const lines of textLines(text)) {
      const out: ImportItem[] = [];
      for (const line of lines) {
        if (line.startsWith('#')) {
          const tz = /^#TZ\/(.*)$/i.exec(line.trim());
          if (tz) clock.local = tz[1]!.trim().toUpperCase() === 'UNKNOWN';
          continue;
        }
        this.entries++;
        this.recognised++;
        out.push(fromScrobblerLog(line, clock));
      }
      yield out;
    }
  }
}

const FORMAT_OF: Record<Exclude<EntryKind, 'lastfm-page'>, ImportFormat> = {
  spotify: 'spotify',
  'spotify-account': 'spotify-account',
  listenbrainz: 'listenbrainz-json',
  'lastfm-track': 'lastfm-json',
  maloja: 'maloja',
};

const CONVERT: Record<Exclude<EntryKind, 'lastfm-page'>, (o: Record<string, unknown>) => ImportItem> = {
  spotify: fromSpotifyExtended,
  'spotify-account': fromSpotifyAccount,
  listenbrainz: fromListenBrainzExport,
  'lastfm-track': fromLastfmTrack,
  maloja: fromMaloja,
};
