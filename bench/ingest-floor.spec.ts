import { describe, expect, it } from 'vitest';
import { counterUpdates, floorRatio, slicePlays, workloadSlices } from './ingest-floor';
import { expectedCounts, makeWorkload } from './workload';

describe('ingest floor', () => {
  it('reports our rate as a share of the floor, null when the floor measured nothing', () => {
    expect(floorRatio(6290, { listens_per_second: 17_900 })).toBe(0.351);
    expect(floorRatio(12_150, { listens_per_second: 12_150 })).toBe(1);
    expect(floorRatio(100, { listens_per_second: 0 })).toBeNull();
    expect(floorRatio(100, null)).toBeNull();
  });

  it('groups exactly the distinct listens by (user, day), and their plays match the expected counts', () => {
    const w = makeWorkload({ n: 2000, users: 7, days: 3, dupFraction: 0.2, now: Date.UTC(2026, 10, 29, 12) });
    const slices = workloadSlices(w, 'p-');
    expect(slices.reduce((n, s) => n + s.listens.length, 0)).toBe(w.listens);
    expect(new Set(slices.map((s) => `${s.user}|${s.day}`)).size).toBe(slices.length);
    for (const s of slices) for (const l of s.listens) expect(l.user_id).toBe(s.user);
    const expected = expectedCounts(w);
    for (const p of slicePlays(slices)) {
      const u = Number(p.user.slice('p-'.length));
      expect(p.plays).toEqual(expected[u]!.get(p.day));
    }
  });

  it('counts one counter statement per (user, day, song), (day, song), (user, day) and day (the one shard of the call)', () => {
    const plays = [
      { user: 'a', day: '2026-11-28', plays: new Map([['s1', 2], ['s2', 1]]) },
      { user: 'b', day: '2026-11-28', plays: new Map([['s1', 1]]) },
      { user: 'a', day: '2026-11-29', plays: new Map([['s3', 4]]) },
    ];
    // user counters 2 + 1 + 1, user totals 3, global (day, song) 2 + 1, day totals 1 + 1
    expect(counterUpdates(plays)).toBe(4 + 3 + 3 + 2);
  });
});
