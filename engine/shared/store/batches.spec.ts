import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, BATCH_MAX, PartitionBatches } from './batches';

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
});
