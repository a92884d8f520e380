/**
 * Property-based bad input for the import parsers (ImportReader over
 * ListenBrainz JSON / JSONL and Spotify history): arbitrary bytes, truncated
 * files, wrong types, huge lines, wrong encodings, any chunking. Never a
 * crash (only an Error the import turns into state "failed"), never a listen
 * with invalid fields, and a file cut short is never read as complete.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImportReader } from '../../engine/crawler/import/import-reader';
import type { ImportItem } from '../../engine/crawler/import/import-reader';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

async function* chunks(bytes: Uint8Array, cuts: number[]): AsyncIterable<Buffer> {
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    if (c > at) yield Buffer.from(bytes.subarray(at, c));
    at = Math.max(at, c);
  }
  if (at < bytes.length) yield Buffer.from(bytes.subarray(at));
}

interface Outcome {
  items: ImportItem[];
  error?: unknown;
}

async function readAll(bytes: Uint8Array, cuts: number[] = [], filename?: string): Promise<Outcome> {
  const r = new ImportReader({ filename });
  const items: ImportItem[] = [];
  try {
    for await (const it of r.read(chunks(bytes, cuts))) items.push(it);
    return { items };
  } catch (error) {
    return { items, error };
  }
}

function checkItems(items: ImportItem[]): void {
  for (const it of items) {
    if ('skipped' in it) {
      expect(typeof it.skipped).toBe('string');
      continue;
    }
    const l = it.listen;
    expect(Number.isInteger(l.listened_at)).toBe(true);
    expect(l.listened_at).toBeGreaterThan(0);
    expect(typeof l.song_id).toBe('string');
    expect(l.song_id.length).toBeGreaterThan(0);
    expect(l.title.trim().length).toBeGreaterThan(0);
    expect(l.artist.trim().length).toBeGreaterThan(0);
  }
}

const lbEntry = fc.record({
  listened_at: fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }),
  recording_msid: fc.uuid(),
  track_metadata: fc.record({ artist_name: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ''), track_name: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== '') }),
});
const spotifyEntry = fc.record({
  ts: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  ms_played: fc.integer({ min: 30_000, max: 600_000 }),
  master_metadata_track_name: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ''),
  master_metadata_album_artist_name: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ''),
});
const validArray = fc.oneof(fc.array(lbEntry, { minLength: 1, maxLength: 30 }), fc.array(spotifyEntry, { minLength: 1, maxLength: 30 }));
const cutsArb = fc.array(fc.nat(), { maxLength: 12 });
const enc = (s: string) => new TextEncoder().encode(s);

/** JSON values of the wrong type for a field. */
const wrongValue = fc.oneof(fc.constant(null), fc.boolean(), fc.double(), fc.string({ maxLength: 20 }), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }), fc.constant(-1), fc.constant(1e308));

describe('import parsers under bad input', () => {
  it('arbitrary bytes: never a crash, only Errors, valid listens only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4000 }), cutsArb, async (bytes, cuts) => {
        const { items, error } = await readAll(bytes, cuts);
        if (error !== undefined) expect(error).toBeInstanceOf(Error);
        checkItems(items);
      }),
      { numRuns: RUNS },
    );
  });

  it('any chunking of a valid export gives the same listens, none skipped, no error', async () => {
    await fc.assert(
      fc.asyncProperty(validArray, fc.boolean(), cutsArb, async (entries, lines, cuts) => {
        const text = lines && 'listened_at' in entries[0]! ? entries.map((e) => JSON.stringify(e)).join('\n') + '\n' : JSON.stringify(entries, null, 1);
        const whole = await readAll(enc(text));
        const cut = await readAll(enc(text), cuts);
        expect(whole.error).toBeUndefined();
        expect(cut.error).toBeUndefined();
        expect(whole.items.filter((i) => 'skipped' in i)).toEqual([]);
        expect(whole.items).toHaveLength(entries.length);
        expect(cut.items).toEqual(whole.items);
        checkItems(whole.items);
      }),
      { numRuns: RUNS },
    );
  });

  it('a JSON array cut short anywhere is never read as complete', async () => {
    await fc.assert(
      fc.asyncProperty(validArray, fc.double({ min: 0, max: 1, noNaN: true }), cutsArb, async (entries, at, cuts) => {
        const text = JSON.stringify(entries);
        const end = text.lastIndexOf(']');
        const cutAt = 1 + Math.floor(at * (end - 1)); // keeps the opening '[', drops the closing ']'
        const { items, error } = await readAll(enc(text.slice(0, cutAt)), cuts);
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/truncated/);
        expect(items.filter((i) => 'listen' in i).length).toBeLessThanOrEqual(entries.length);
        checkItems(items);
      }),
      { numRuns: RUNS },
    );
  });

  it('wrong types in any field are skipped with a reason, never accepted or crashing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(lbEntry as fc.Arbitrary<Record<string, unknown>>, spotifyEntry as fc.Arbitrary<Record<string, unknown>>),
        fc.nat(),
        wrongValue,
        fc.boolean(),
        async (entry, which, value, lines) => {
          const keys = Object.keys(entry);
          const key = keys[which % keys.length]!;
          const bad: Record<string, unknown> = { ...entry, [key]: value };
          const text = lines ? JSON.stringify(bad) + '\n' : JSON.stringify([bad]);
          const { items, error } = await readAll(enc(text));
          expect(error).toBeUndefined();
          expect(items).toHaveLength(1);
          checkItems(items);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('huge lines and entries: skipped or refused with an Error, memory bounded', async () => {
    const big = 'x'.repeat(1_200_000);
    const cases = [
      `${JSON.stringify({ listened_at: 1_700_000_000, track_metadata: { artist_name: big, track_name: 't' } })}\n`,
      JSON.stringify([{ listened_at: 1_700_000_000, track_metadata: { artist_name: big, track_name: 't' } }]),
      `[${'['.repeat(100_000)}`,
      `${'{'.repeat(200_000)}\n`,
    ];
    for (const c of cases) {
      const { items, error } = await readAll(enc(c), [65536, 131072, 500_000]);
      if (error !== undefined) expect(error).toBeInstanceOf(Error);
      checkItems(items);
    }
  });

  it('wrong encodings (UTF-16, Latin-1, BOMs): never a crash, only valid listens', async () => {
    await fc.assert(
      fc.asyncProperty(validArray, fc.constantFrom('utf16le', 'latin1', 'utf8bom', 'utf16bom'), cutsArb, async (entries, encoding, cuts) => {
        const text = JSON.stringify(entries);
        const bytes =
          encoding === 'utf8bom'
            ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
            : encoding === 'utf16bom'
              ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
              : Buffer.from(text, encoding as BufferEncoding);
        const { items, error } = await readAll(bytes, cuts);
        if (error !== undefined) expect(error).toBeInstanceOf(Error);
        checkItems(items);
        if (encoding === 'utf8bom') {
          expect(error).toBeUndefined();
          expect(items.filter((i) => 'listen' in i)).toHaveLength(entries.length);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
