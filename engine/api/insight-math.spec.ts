import { describe, expect, it } from 'vitest';
import { firstPlays, heatmapCells, isTimeZone, movementOf } from './insight-math';

describe('heatmapCells', () => {
  it('buckets by weekday and hour in the given time zone', () => {
    // 2026-11-23 is a Monday; 23:30 UTC is Tuesday 00:30 in Berlin (UTC+1 in November) and Monday 18:30 in New York
    const t = Date.parse('2026-11-23T23:30:00Z');
    const utc = heatmapCells([t, t], 'UTC');
    expect(utc[0]![23]).toBe(2);
    expect(heatmapCells([t], 'Europe/Berlin')[1]![0]).toBe(1);
    expect(heatmapCells([t], 'America/New_York')[0]![18]).toBe(1);
    // a half-hour zone: 23:30 UTC + 5:30 = Tuesday 05:00
    expect(heatmapCells([t], 'Asia/Kolkata')[1]![5]).toBe(1);
    // a Sunday lands on the last row
    expect(heatmapCells([Date.parse('2026-11-29T12:00:00Z')], 'UTC')[6]![12]).toBe(1);
    expect(utc.flat().reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('knows real zones only', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('movementOf', () => {
  const prev = new Map([
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);
  it('up, down, same against the previous ranks', () => {
    expect(movementOf(1, 'c', prev, 3, 1000)).toEqual({ previous_rank: 3, change: 'up', delta: 2 });
    expect(movementOf(3, 'a', prev, 3, 1000)).toEqual({ previous_rank: 1, change: 'down', delta: -2 });
    expect(movementOf(2, 'b', prev, 3, 1000)).toEqual({ previous_rank: 2, change: 'same', delta: 0 });
  });
  it('NEW only when the previous ranking was read to its end', () => {
    expect(movementOf(1, 'z', prev, 3, 1000)).toEqual({ previous_rank: null, change: 'new', delta: null });
    expect(movementOf(1, 'z', prev, 5000, 3)).toEqual({ previous_rank: null, change: 'up', delta: null });
  });
});

describe('firstPlays', () => {
  it('keeps keys whose first play in the known days falls in the window', () => {
    const perDay = new Map([
      ['2026-11-20', new Map([['old', 2]])],
      ['2026-11-22', new Map([['old', 1], ['x', 1]])],
      ['2026-11-23', new Map([['y', 3], ['x', 2], ['gone', 0]])],
    ]);
    expect(firstPlays(perDay, '2026-11-22', '2026-11-23')).toEqual([
      { key: 'x', first_day: '2026-11-22', listen_count: 3 },
      { key: 'y', first_day: '2026-11-23', listen_count: 3 },
    ]);
    expect(firstPlays(perDay, '2026-11-23', '2026-11-23')).toEqual([{ key: 'y', first_day: '2026-11-23', listen_count: 3 }]);
  });
});
