import { describe, expect, it } from 'vitest';
import { TombstoneCache } from './tombstone-cache';

describe('TombstoneCache', () => {
  it('keeps the answers of a generation, tombstones and their absence alike', () => {
    const c = new TombstoneCache();
    expect(c.lookup(['a', 'b'], 3)).toEqual({ deleted: new Map(), unknown: ['a', 'b'] });
    c.learned(['a', 'b'], 3, new Map([['b', 1000]]));
    expect(c.lookup(['a', 'b', 'c'], 3)).toEqual({ deleted: new Map([['b', 1000]]), unknown: ['c'] });
  });

  it('forgets every answer once the generation rises: a deletion may have come since', () => {
    const c = new TombstoneCache();
    c.learned(['a'], -1, new Map());
    c.lookup(['a'], 3);
    c.learned(['a'], 3, new Map());
    expect(c.lookup(['a'], 4).unknown).toEqual(['a']);
  });

  it('answers a chunk that read an older generation from the newer answers, and keeps none of what it reads', () => {
    const c = new TombstoneCache();
    c.lookup(['a'], 5);
    c.learned(['a'], 5, new Map([['a', 7]]));
    expect(c.lookup(['a', 'b'], 4)).toEqual({ deleted: new Map([['a', 7]]), unknown: ['b'] });
    c.learned(['b'], 4, new Map());
    expect(c.lookup(['b'], 5).unknown).toEqual(['b']);
  });

  it('starts over at its bound', () => {
    const c = new TombstoneCache(2);
    c.lookup([], 1);
    c.learned(['a', 'b'], 1, new Map());
    c.learned(['c'], 1, new Map());
    expect(c.lookup(['a', 'c'], 1).unknown).toEqual(['a']);
  });
});
