/**
 * A chunk's counter increments go as one `song_id IN ?` statement per (partition, delta) and
 * several small partitions share a request (issue 16). The cells must come out exactly as one
 * statement per song did: every song of a partition with more songs than one statement takes,
 * every distinct delta, the global shard cells summed over users, and a second chunk adding on top.
 * New songs' track rows go ~10 to a request the same way.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SONGS_PER_INCREMENT } from '../../engine/shared/store/counts';
import type { SlicePlays } from '../../engine/shared/store/counts';
import { createStore } from '../../engine/shared/store/store';
import { createHarness, uid } from './harness';
import type { Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
}, 120_000);

afterAll(() => h?.close(), 60_000);

describe('counter increments grouped by delta', () => {
  it('store every cell of every partition as one statement a song would', async () => {
    const store = createStore(h.db);
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    // a shard no aggregator of the shared test keyspace writes: its cells are this test's alone
    const shard = 10_000 + randomInt(1_000_000);
    const heavy = uid('inc-heavy');
    const light = uid('inc-light');
    const many = 2 * SONGS_PER_INCREMENT + 50; // three IN statements at delta 1
    const heavyPlays = new Map<string, number>();
    for (let i = 0; i < many; i++) heavyPlays.set(`inc-song-${i}`, 1);
    heavyPlays.set('inc-twice-a', 2);
    heavyPlays.set('inc-twice-b', 2);
    heavyPlays.set('inc-five', 5);
    const lightPlays = new Map([
      ['inc-song-0', 1],
      ['inc-twice-a', 3],
      ['inc-light-only', 1],
    ]);
    // many small partitions besides: their requests are packed with the heavy one's
    const small = Array.from({ length: 25 }, () => uid('inc-small'));
    const slices: SlicePlays[] = [
      { user: heavy, day, plays: heavyPlays },
      { user: light, day, plays: lightPlays },
      ...small.map((user, i) => ({ user, day, plays: new Map([[`inc-small-${i % 3}`, 1 + (i % 2)]]) })),
    ];

    await store.counts.increment(slices, 8, shard);
    await store.counts.increment(slices, 8, shard);

    const twice = (m: Map<string, number>) => new Map([...m].map(([song, n]) => [song, 2 * n]));
    expect(await store.counts.userDay(heavy, day)).toEqual(twice(heavyPlays));
    expect(await store.counts.userDay(light, day)).toEqual(twice(lightPlays));
    for (const [i, user] of small.entries()) expect(await store.counts.userDay(user, day)).toEqual(new Map([[`inc-small-${i % 3}`, 2 * (1 + (i % 2))]]));

    const global = new Map<string, number>();
    for (const s of slices) for (const [song, n] of s.plays) global.set(song, (global.get(song) ?? 0) + 2 * n);
    expect(await store.counts.shardDay(day, shard)).toEqual(global);
  }, 60_000);
});

describe('track rows of new songs, packed into shared requests', () => {
  it('stores every row, and a changed title again', async () => {
    const store = createStore(h.db);
    const ids = Array.from({ length: 37 }, () => uid('pack-song'));
    const rows = ids.map((song_id, i) => ({ song_id, title: `Title ${i}`, artist: `Artist ${i % 4}`, album: i % 3 === 0 ? null : `Album ${i}` }));
    await store.tracks.upsert(rows, 8);
    const meta = await createStore(h.db).tracks.get(ids, 4);
    expect(meta.size).toBe(ids.length);
    for (const r of rows) expect(meta.get(r.song_id)).toEqual({ title: r.title, artist: r.artist, album: r.album });
    await store.tracks.upsert([{ ...rows[5]!, title: 'Renamed' }], 8);
    expect((await createStore(h.db).tracks.get([ids[5]!], 1)).get(ids[5]!)?.title).toBe('Renamed');
  }, 60_000);
});
