import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ImportReader, UnsupportedFormatError } from './import-reader';
import type { ImportFormat, ImportItem } from './import-reader';
import { isZipHead, ZipReader } from './zip-reader';

/** Which history a zip entry holds, by the names Spotify and ListenBrainz give them; undefined = not history. */
export function zipEntryFormat(name: string): ImportFormat | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (/^Streaming_History_Audio_.*\.json$/i.test(base) || /^endsong(_\d+)?\.json$/i.test(base)) return 'spotify';
  if (/^StreamingHistory.*\.json$/i.test(base)) return 'spotify-account';
  if (/(^|\/)listens\/\d{4}\/\d{1,2}\.jsonl$/.test(name)) return 'listenbrainz-jsonl';
  return undefined;
}

export interface HistoryFileOptions {
  filename?: string;
  timeZone?: string;
  /** size of a streamed upload when the client said it (Content-Length) */
  size?: number;
}

/**
 * One history file from a path or a stream: a zip (Spotify's or
 * ListenBrainz's download, read entry by entry through its central
 * directory; a streamed zip is first spooled to a temporary file) or any
 * text format ImportReader knows, in batches of entries. Progress: bytesRead of bytesTotal.
 */
export class HistoryFile {
  format: ImportFormat | undefined;
  entries = 0;
  bytesTotal: number | undefined;
  /** zip entries read as history */
  files: string[] = [];
  private readBefore = 0;
  private current: ImportReader | undefined;
  private zipRead = 0;

  constructor(private readonly o: HistoryFileOptions = {}) {
    this.bytesTotal = o.size;
  }

  get bytesRead(): number {
    return this.readBefore + (this.current?.bytesRead ?? 0) + this.zipRead;
  }

  async *fromPath(path: string): AsyncIterable<ImportItem[]> {
    const { size } = await stat(path);
    this.bytesTotal = size;
    const fh = await open(path, 'r');
    const head = Buffer.alloc(4);
    try {
      await fh.read(head, 0, 4, 0);
    } finally {
      await fh.close();
    }
    if (isZipHead(head)) {
      yield* this.fromZip(path);
      return;
    }
    yield* this.fromText(createReadStream(path, { highWaterMark: 256 * 1024 }));
  }

  async *fromStream(stream: AsyncIterable<Buffer | string>): AsyncIterable<ImportItem[]> {
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next();
    const rest = (async function* () {
      if (!first.done) yield first.value;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    })();
    const head = first.done ? Buffer.alloc(0) : typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
    if (!isZipHead(head)) {
      yield* this.fromText(rest);
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'topk-import-'));
    try {
      const file = join(dir, 'upload.zip');
      await pipeline(Readable.from(rest), createWriteStream(file, { mode: 0o600 }));
      yield* this.fromZip(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async *fromText(stream: AsyncIterable<Buffer | string>): AsyncIterable<ImportItem[]> {
    const reader = new ImportReader({ filename: this.o.filename, timeZone: this.o.timeZone });
    this.current = reader;
    try {
      for await (const batch of reader.batches(stream)) {
        this.entries = reader.entries;
        this.format ??= reader.format;
        yield batch;
      }
    } finally {
      this.entries = reader.entries;
      this.format = reader.format;
    }
  }

  private async *fromZip(path: string): AsyncIterable<ImportItem[]> {
    const zip = await ZipReader.open(path);
    try {
      this.bytesTotal = zip.size;
      const wanted = zip.entries.filter((e) => e.size > 0 && zipEntryFormat(e.name) !== undefined).sort((a, b) => (a.name < b.name ? -1 : 1));
      if (wanted.length === 0) {
        throw new UnsupportedFormatError(`${this.o.filename ? `"${this.o.filename}"` : 'the zip'} holds no Spotify or ListenBrainz listening history`);
      }
      this.format = zipEntryFormat(wanted[0]!.name) === 'listenbrainz-jsonl' ? 'listenbrainz-zip' : 'spotify-zip';
      for (const e of wanted) {
        const expect = zipEntryFormat(e.name)!;
        const reader = new ImportReader({ filename: e.name, expect });
        const before = this.entries;
        const body = await zip.openEntry(e, (n) => (this.zipRead += n));
        this.files.push(e.name);
        for await (const batch of reader.batches(body)) {
          this.entries = before + reader.entries;
          yield batch;
        }
        this.entries = before + reader.entries;
      }
      this.zipRead = zip.size; // the other entries and the directory count as read
    } finally {
      await zip.close();
    }
  }
}
