import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, BATCH_MAX, PACK_BYTES, PACK_PARTITIONS, PartitionBatches } from './batches';

/** A raw listen's insert: about 200 bytes of values (ids, names, timestamp, TTL). */
const rawListen = (i: number) => ({
  query: 'INSERT INTO listens …',
  params: ['user-1', '2026-11-30', new Date(1_700_000_000_000 + i), 'listenbrainz', `song-${i}-${'x'.repeat(60)}`, `Title ${i} ${'t'.repeat(40)}`, `Artist ${'a'.repeat(30)}`, null, 604_800],
});

describe('PartitionBatches', () => {
  it('keeps a dense slice in one batch: one mutation, not one per 4 000 bytes', () => {
    const b = new PartitionBatches();
    for (let i = 0; i < 60; i++) b.add('user-1\u00012026-11-30', rawListen(i));
    const out = b.batches();
    expect(out).toHaveLength(1);
    expect(out[0]).toHaveLength(60);
  });

  it('splits a partition at BATCH_MAX statements', () => {
    const b = new PartitionBatches();
    for (let i = 0; i < 2 * BATCH_MAX + 7; i++) b.add('p', rawListen(i));
    expect(b.batches().map((x) => x.length)).toEqual([BATCH_MAX, BATCH_MAX, 7]);
  });

  it('splits a partition whose values pass BATCH_BYTES', () => {
    const b = new PartitionBatches();
    const big = (i: number) => ({ query: 'INSERT …', params: [`k${i}`, 'v'.repeat(BATCH_BYTES / 4)] });
    for (let i = 0; i < 6; i++) b.add('p', big(i));
    const sizes = b.batches().map((x) => x.length);
    expect(sizes.reduce((a, n) => a + n, 0)).toBe(6);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
  });

  it('never puts two partitions in one batch', () => {
    const b = new PartitionBatches();
    for (let i = 0; i < 10; i++) b.add(i % 2 === 0 ? 'even' : 'odd', rawListen(i));
    const out = b.batches();
    expect(out).toHaveLength(2);
    for (const batch of out) expect(new Set(batch.map((s) => (s.params[2] as Date).getTime() % 2)).size).toBe(1);
  });

  describe('requests', () => {
    /** a user's day total: one small counter statement a partition */
    const total = (user: number) => ({ query: 'UPDATE user_day_totals …', params: [1, `user-${user}`, '2026-11-30'] });
    const keyOf = (s: { params: unknown[] }) => String(s.params[1] ?? s.params[0]);

    it('packs small partitions, at most PACK_PARTITIONS a request, every statement once', () => {
      const b = new PartitionBatches();
      for (let u = 0; u < 25; u++) b.add(`t\u0001${u}`, total(u));
      const out = b.requests();
      expect(out.map((r) => r.length)).toEqual([PACK_PARTITIONS, PACK_PARTITIONS, 5]);
      expect(out.flat().map(keyOf)).toEqual(Array.from({ length: 25 }, (_, u) => `user-${u}`));
    });

    it('keeps a packed request within PACK_BYTES of values', () => {
      const b = new PartitionBatches();
      // ~1 000 bytes a partition: three fit, the fourth opens the next request
      const wide = (u: number) => ({ query: 'UPDATE …', params: [1, `user-${u}`, 'x'.repeat(960)] });
      for (let u = 0; u < 7; u++) b.add(`w${u}`, wide(u));
      const out = b.requests();
      expect(out.map((r) => r.length)).toEqual([3, 3, 1]);
      for (const r of out) expect(r.reduce((n, s) => n + 24 + 8 + String(s.params[1]).length + String(s.params[2]).length, 0)).toBeLessThanOrEqual(PACK_BYTES);
    });

    it('sends a partition batch larger than PACK_BYTES alone, and packs the small ones around it', () => {
      const b = new PartitionBatches();
      b.add('t0', total(0));
      for (let i = 0; i < 40; i++) b.add('dense', rawListen(i));
      b.add('t1', total(1));
      const out = b.requests();
      expect(out).toHaveLength(2);
      expect(out[0]).toHaveLength(40);
      expect(out[1]!.map(keyOf)).toEqual(['user-0', 'user-1']);
    });

    it('counts each song of a `song_id IN ?` list as a cell: a long list is sent alone, a short one packed', () => {
      const b = new PartitionBatches();
      const songs = (n: number) => Array.from({ length: n }, (_, i) => `song-${i}`);
      b.add('u1', { query: 'UPDATE daily_counts … song_id IN ?', params: [1, 'user-1', '2026-11-30', songs(100)] });
      b.add('u2', { query: 'UPDATE daily_counts … song_id IN ?', params: [1, 'user-2', '2026-11-30', songs(3)] });
      b.add('u3', total(3));
      expect(b.requests().map((r) => r.map(keyOf))).toEqual([['user-1'], ['user-2', 'user-3']]);
    });

    it('keeps a partition whole: its statements are never split across packed requests', () => {
      const b = new PartitionBatches();
      for (let u = 0; u < 30; u++) for (let k = 0; k < 3; k++) b.add(`p${u}`, total(u));
      for (const r of b.requests()) {
        const users = r.map(keyOf);
        for (const u of new Set(users)) expect(users.filter((x) => x === u)).toHaveLength(3);
      }
    });
  });
});
