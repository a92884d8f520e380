import { describe, expect, it } from 'vitest';
import { jsonArrayElements, MALFORMED, TRUNCATED } from './json-elements';
import type { JsonElement } from './json-elements';

async function* chunked(text: string, size: number): AsyncIterable<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function all(text: string, size: number, key?: string): Promise<JsonElement[]> {
  const out: JsonElement[] = [];
  for await (const batch of jsonArrayElements(chunked(text, size), key)) out.push(...batch);
  return out;
}

/** entries with the characters that fool a naive cut: braces, commas and escaped quotes inside strings, nested values */
const tricky = [
  { ts: '2026-11-20T10:00:00Z', name: 'a}, {b', ms_played: 1 },
  { ts: '2026-11-20T10:01:00Z', name: 'quote \\" and brace } in a string', nested: { x: [1, { y: '}' }] } },
  { ts: '2026-11-20T10:02:00Z', name: 'ünïcödé ☃', list: [{ a: 1 }, { b: 2 }] },
  { ts: '2026-11-20T10:03:00Z', name: '\\\\', ms_played: 3 },
];

describe('jsonArrayElements', () => {
  it('gives every element of an array whatever the chunk size (batch parse and character scan agree)', async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ ...tricky[i % tricky.length], i }));
    for (const text of [JSON.stringify(many), JSON.stringify(many, null, 4)]) {
      for (const size of [1, 7, 64, 1000, 4096, text.length]) {
        expect(await all(text, size)).toEqual(many);
      }
    }
  });

  it('a malformed element is MALFORMED and the elements around it still count, in any chunking', async () => {
    const good = JSON.stringify({ ts: 'x', n: 1 });
    const text = `[${good}, {"ts": "y", "n": }, ${good}, 17, "s", ${good}]`;
    for (const size of [3, 50, text.length]) {
      expect(await all(text, size)).toEqual([{ ts: 'x', n: 1 }, MALFORMED, { ts: 'x', n: 1 }, 17, 's', { ts: 'x', n: 1 }]);
    }
  });

  it('the array under a key (Maloja) and nothing outside it', async () => {
    const text = JSON.stringify({ maloja: { export_time: 1, list: [{ a: 1 }] }, scrobbles: [{ time: 1 }, { time: 2 }], after: [{ z: 1 }] });
    for (const size of [5, 100, text.length]) expect(await all(text, size, 'scrobbles')).toEqual([{ time: 1 }, { time: 2 }]);
  });

  it('a file cut short yields the complete elements, TRUNCATED, then fails', async () => {
    const text = JSON.stringify([{ a: 1 }, { b: 2 }, { c: 3 }]).slice(0, -6);
    for (const size of [2, text.length]) {
      const got: JsonElement[] = [];
      await expect(
        (async () => {
          for await (const b of jsonArrayElements(chunked(text, size))) got.push(...b);
        })(),
      ).rejects.toThrow(/truncated/);
      expect(got).toEqual([{ a: 1 }, { b: 2 }, TRUNCATED]);
    }
  });
});
