import { describe, expect, it } from 'vitest';
import { WrittenListens } from './written-listens';

const listen = (listened_at: number, song_id = 'song-a', source = 'lastfm') => ({ listened_at, song_id, source });

describe('WrittenListens', () => {
  it('holds exactly the identities written to a partition', () => {
    const w = new WrittenListens();
    w.wrote('u\u0001d', [listen(3000), listen(1000), listen(2000, 'song-b')]);
    expect(w.holds('u\u0001d', listen(1000))).toBe(true);
    expect(w.holds('u\u0001d', listen(2000, 'song-b'))).toBe(true);
    // the same time with another song or source, another time, another partition: not the same listen
    expect(w.holds('u\u0001d', listen(2000))).toBe(false);
    expect(w.holds('u\u0001d', listen(1000, 'song-a', 'listenbrainz'))).toBe(false);
    expect(w.holds('u\u0001d', listen(1001))).toBe(false);
    expect(w.holds('v\u0001d', listen(1000))).toBe(false);
    expect(w.size).toBe(3);
  });

  it('keeps every pair in order however the listens arrive, and counts a listen written twice once', () => {
    const w = new WrittenListens();
    const times = [50, 10, 40, 10, 30, 20, 60, 5, 45, 45];
    for (const t of times) w.wrote('p', [listen(t, t === 45 ? 'song-b' : 'song-a')]);
    w.wrote('p', [listen(10), listen(45, 'song-c')]);
    expect(w.size).toBe(9);
    for (const t of [5, 10, 20, 30, 40, 50, 60]) expect(w.holds('p', listen(t))).toBe(true);
    expect(w.holds('p', listen(45, 'song-b'))).toBe(true);
    expect(w.holds('p', listen(45, 'song-c'))).toBe(true);
    expect(w.holds('p', listen(45))).toBe(false);
    expect(w.holds('p', listen(15))).toBe(false);
  });

  it('forgets the partitions written first past its bound', () => {
    const w = new WrittenListens(4);
    w.wrote('p1', [listen(1), listen(2)]);
    w.wrote('p2', [listen(1), listen(2)]);
    expect(w.size).toBe(4);
    w.wrote('p3', [listen(1)]);
    // 5 > 4: p1 goes, and that leaves 3 ≤ 0.75 · 4
    expect(w.holds('p1', listen(1))).toBe(false);
    expect(w.holds('p2', listen(2))).toBe(true);
    expect(w.holds('p3', listen(1))).toBe(true);
    expect(w.size).toBe(3);
  });

  it('forgets everything once its song ids are full', () => {
    const w = new WrittenListens(100, 2);
    w.wrote('p1', [listen(1, 'song-a')]);
    w.wrote('p2', [listen(1, 'song-b')]);
    expect(w.holds('p1', listen(1, 'song-a'))).toBe(true);
    w.wrote('p3', [listen(1, 'song-c')]);
    expect(w.size).toBe(0);
    expect(w.holds('p1', listen(1, 'song-a'))).toBe(false);
    expect(w.holds('p3', listen(1, 'song-c'))).toBe(false);
    // and starts again
    w.wrote('p3', [listen(2, 'song-c')]);
    expect(w.holds('p3', listen(2, 'song-c'))).toBe(true);
  });

  it('forgets the partitions it is told to', () => {
    const w = new WrittenListens();
    w.wrote('u\u0001d1', [listen(1)]);
    w.wrote('u\u0001d2', [listen(1), listen(2)]);
    w.wrote('v\u0001d1', [listen(1)]);
    w.forget((k) => k.startsWith('u\u0001'));
    expect(w.holds('u\u0001d2', listen(1))).toBe(false);
    expect(w.holds('v\u0001d1', listen(1))).toBe(true);
    expect(w.size).toBe(1);
  });
});
