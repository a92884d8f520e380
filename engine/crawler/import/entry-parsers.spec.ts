import { describe, expect, it } from 'vitest';
import { parseUtc } from './entry-parsers';

describe('parseUtc', () => {
  it('reads Spotify timestamps exactly as Date.parse does', () => {
    const differ: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const s = new Date(Math.floor((i * 7_919_993_137) % 253_402_300_799) * 1000).toISOString().replace('.000Z', 'Z');
      if (parseUtc(s) !== Date.parse(s)) differ.push(s);
    }
    expect(differ).toEqual([]);
  });

  it('leaves other shapes and out-of-range fields to Date.parse', () => {
    for (const s of ['2021-02-30T00:00:00Z', '2021-02-28T24:00:00Z', '2021-02-28T23:59:60Z', '2021-13-01T00:00:00Z', '2021-0a-28T23:59:59Z', '2024-02-29T12:00:00Z', '2026-11-20T10:00:00.123Z', '2026-11-20 10:00']) {
      expect(Object.is(parseUtc(s), Date.parse(s))).toBe(true);
    }
  });
});
