import { describe, expect, it } from 'vitest';
import { compareAnswer, fullRanking, globalDayCells, userDayCells } from './query-scopes';

describe('bench query reference answers', () => {
  it('ranks by count descending, ties by song_id, zero counts left out', () => {
    const r = fullRanking(new Map([['b', 2], ['a', 2], ['c', 5], ['z', 0], ['y', -1]]));
    expect(r).toEqual([
      { song_id: 'c', listen_count: 5 },
      { song_id: 'a', listen_count: 2 },
      { song_id: 'b', listen_count: 2 },
    ]);
  });

  it('names every difference between an answer and the ranking', () => {
    const want = [{ song_id: 'c', listen_count: 5 }, { song_id: 'a', listen_count: 2 }];
    expect(compareAnswer('/p', { results: [{ song_id: 'c', listen_count: 5, rank: 1 }, { song_id: 'a', listen_count: 2, rank: 2 }] }, want)).toEqual([]);
    expect(compareAnswer('/p', { results: [{ song_id: 'c', listen_count: 5, rank: 1 }, { song_id: 'b', listen_count: 2, rank: 2 }] }, want)).toHaveLength(1);
    expect(compareAnswer('/p', { results: [{ song_id: 'c', listen_count: 5, rank: 1 }] }, want)).toHaveLength(2);
    expect(compareAnswer('/p', {}, want)).toEqual(['/p: no results array']);
  });

  it('generates the same distinct cells for the same user-day and global day', () => {
    const a = userDayCells('u1', '2026-01-01', 200);
    expect(a).toEqual(userDayCells('u1', '2026-01-01', 200));
    expect(new Set(a.map(([s]) => s)).size).toBe(200);
    expect(a.every(([, n]) => Number.isInteger(n) && n >= 1)).toBe(true);
    const g = globalDayCells('2026-01-01', 1000);
    expect(new Set(g.map(([s]) => s)).size).toBe(1000);
    // a long tail of equal counts: ties by song_id are exercised
    expect(new Set(g.map(([, n]) => n)).size).toBeLessThan(500);
  });
});
