import { describe, expect, it } from 'vitest';
import { StoredBounds } from './stored-bounds';

/** Listens of one source and song at the given times. */
const at = (...times: number[]) => times.map((t) => ({ source: 'lastfm', song_id: 'song', listened_at: t }));

describe('StoredBounds', () => {
  it('learns a bound from a read to the end of the partition and raises it with its own writes', () => {
    const b = new StoredBounds();
    const e = b.epoch();
    expect(b.upTo('u', '2026-11-30')).toBeUndefined();
    b.learned(e, 'u', '2026-11-30', 1000, 1500);
    expect(b.upTo('u', '2026-11-30')).toBe(1500);
    b.wrote(e, 'u', '2026-11-30', at(2000));
    expect(b.upTo('u', '2026-11-30')).toBe(2000);
    // an older write never lowers it
    b.wrote(e, 'u', '2026-11-30', at(1200));
    expect(b.upTo('u', '2026-11-30')).toBe(2000);
  });

  it('knows nothing stored from the read on when the read found nothing', () => {
    const b = new StoredBounds();
    b.learned(b.epoch(), 'u', '2026-11-30', 1000, undefined);
    expect(b.upTo('u', '2026-11-30')).toBe(999);
  });

  it('takes no bound from a write alone: older listens may be stored that this process never read', () => {
    const b = new StoredBounds();
    b.wrote(b.epoch(), 'u', '2026-11-30', at(2000));
    expect(b.upTo('u', '2026-11-30')).toBeUndefined();
  });

  it('notes nothing a write learnt after a clear that ran while it was in flight', () => {
    const b = new StoredBounds();
    const before = b.epoch();
    b.learned(before, 'u', 'd1', 0, 10);
    b.clear();
    expect(b.upTo('u', 'd1')).toBeUndefined();
    b.learned(before, 'u', 'd2', 0, 10);
    b.wrote(before, 'u', 'd1', at(20));
    expect(b.size).toBe(0);
    b.learned(b.epoch(), 'u', 'd2', 0, 10);
    expect(b.upTo('u', 'd2')).toBe(10);
  });

  it('knows the listens it wrote until their users are forgotten or everything is cleared', () => {
    const b = new StoredBounds();
    const stale = b.epoch();
    b.wrote(b.epoch(), 'u', 'd1', at(10, 20));
    b.wrote(b.epoch(), 'v', 'd1', at(10));
    expect(b.holds('u', 'd1', at(20)[0]!)).toBe(true);
    expect(b.holds('u', 'd2', at(20)[0]!)).toBe(false);
    // a GDPR delete may have removed them
    b.forgetUsers(['u']);
    expect(b.holds('u', 'd1', at(20)[0]!)).toBe(false);
    expect(b.holds('v', 'd1', at(10)[0]!)).toBe(true);
    b.clear();
    expect(b.holds('v', 'd1', at(10)[0]!)).toBe(false);
    // a write of an epoch before the clear notes no listen
    b.wrote(stale, 'v', 'd1', at(10));
    expect(b.holds('v', 'd1', at(10)[0]!)).toBe(false);
  });

  it('forgets the partitions of the given users only', () => {
    const b = new StoredBounds();
    const e = b.epoch();
    b.learned(e, 'a', 'd', 0, 1);
    b.learned(e, 'ab', 'd', 0, 2);
    b.learned(e, 'b', 'd', 0, 3);
    b.forgetUsers(['a', 'b']);
    expect(b.upTo('a', 'd')).toBeUndefined();
    expect(b.upTo('b', 'd')).toBeUndefined();
    expect(b.upTo('ab', 'd')).toBe(2);
  });

  it('starts over at its bound', () => {
    const b = new StoredBounds(2);
    const e = b.epoch();
    b.learned(e, 'u', 'd1', 0, 1);
    b.learned(e, 'u', 'd2', 0, 2);
    b.learned(e, 'u', 'd3', 0, 3);
    expect(b.size).toBe(1);
    expect(b.upTo('u', 'd3')).toBe(3);
  });

  describe('days learnt from user_days', () => {
    it('knows nothing stored on a day from `from` on that user_days does not name; named and older days stay unknown', () => {
      const b = new StoredBounds();
      b.learnedDays(b.epoch(), 'u', new Set(['2026-11-28']), '2026-11-01');
      expect(b.knowsDaysOf('u')).toBe(true);
      expect(b.upTo('u', '2026-11-29')).toBe(-Infinity);
      expect(b.upTo('u', '2026-11-28')).toBeUndefined();
      expect(b.upTo('u', '2026-10-31')).toBeUndefined();
      expect(b.upTo('v', '2026-11-29')).toBeUndefined();
    });

    it('a write to an empty day gives it a bound and makes it a stored day, even once the bounds are forgotten at their limit', () => {
      const b = new StoredBounds(2);
      const e = b.epoch();
      b.learnedDays(e, 'u', new Set(), '2026-11-01');
      b.wrote(e, 'u', '2026-11-29', at(5000));
      expect(b.upTo('u', '2026-11-29')).toBe(5000);
      // the bounds start over at their limit: the written day must be read again, not taken as empty
      b.learned(e, 'x', 'd1', 0, 1);
      b.learned(e, 'x', 'd2', 0, 1);
      expect(b.upTo('u', '2026-11-29')).toBeUndefined();
      expect(b.upTo('u', '2026-11-30')).toBe(-Infinity);
    });

    it('forgets the days of forgotten users, on clear, and what a read of an older epoch returned', () => {
      const b = new StoredBounds();
      const before = b.epoch();
      b.learnedDays(before, 'a', new Set(), '2026-11-01');
      b.learnedDays(before, 'b', new Set(), '2026-11-01');
      b.forgetUsers(['a']);
      expect(b.upTo('a', '2026-11-29')).toBeUndefined();
      expect(b.upTo('b', '2026-11-29')).toBe(-Infinity);
      b.clear();
      expect(b.knowsDaysOf('b')).toBe(false);
      b.learnedDays(before, 'c', new Set(), '2026-11-01');
      expect(b.knowsDaysOf('c')).toBe(false);
      expect(b.size).toBe(0);
    });

    it('starts over when the users\' days reach the bound', () => {
      const b = new StoredBounds(3);
      const e = b.epoch();
      b.learnedDays(e, 'a', new Set(['d1']), 'd0');
      b.learnedDays(e, 'b', new Set(['d1']), 'd0');
      expect(b.knowsDaysOf('a')).toBe(false);
      expect(b.knowsDaysOf('b')).toBe(true);
      expect(b.size).toBe(2);
    });
  });
});
