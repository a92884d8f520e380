import { describe, expect, it } from 'vitest';
import { mergeRows } from './rows';

describe('mergeRows', () => {
  it('keeps unchanged row objects and reports changed keys', () => {
    const a = { song_id: 'a', listen_count: 3, rank: 1 };
    const b = { song_id: 'b', listen_count: 2, rank: 2 };
    const next = [{ song_id: 'b', listen_count: 4, rank: 1 }, { song_id: 'a', listen_count: 3, rank: 2 }, { song_id: 'c', listen_count: 1, rank: 3 }];
    const m = mergeRows([a, b], next, (r) => r.song_id);
    expect(m.rows.map((r) => r.song_id)).toEqual(['b', 'a', 'c']);
    expect([...m.changed].sort()).toEqual(['a', 'b', 'c']); // a changed rank
    const again = mergeRows(m.rows, next.map((r) => ({ ...r })), (r) => r.song_id);
    expect(again.changed.size).toBe(0);
    expect(again.rows[0]).toBe(m.rows[0]);
  });
});
