/**
 * Two aggregators on one keyspace (two consumers of one group, each owning its
 * Kafka partitions, each with its own write lock — as two processes are), and
 * a recovery of one while the other is between its user and its global
 * counter writes. Global counts and the day's play total must stay exact: a
 * recovery re-derives only what its own partition wrote.
 *
 * Under the unsharded scheme (global_daily_counts keyed by day, a recovery
 * re-deriving a (day, song) as the sum over every user) the recovery counted
 * the other aggregator's in-flight plays, whose global increment then landed
 * on top: one play counted twice. Day totals sharded by user (cql/0005's
 * day_totals, re-derived as the sum over every user of the day) had the same
 * race: 8 plays instead of 5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenWriter } from '../../engine/aggregator/listen-writer';
import type { ListenEvent } from '../../engine/shared/listen-event';
import { RankedSets } from '../../engine/shared/ranked-sets';
import { PlayTotalStore } from '../../engine/shared/store/play-totals';
import { createStore } from '../../engine/shared/store/store';
import { createHarness, quietLog, storedGlobal, uid } from './harness';
import type { Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
}, 120_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

class Crash extends Error {}

describe('two aggregators, a recovery in between', () => {
  it('keeps global counts and day totals exact when one recovers while the other is mid-batch', async () => {
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const at = Date.parse(`${day}T10:00:00Z`);
    const song = uid('song');
    const [ua, ub] = [uid('ua'), uid('ub')];
    const ev = (user: string, i: number): ListenEvent => ({
      v: 1,
      user_id: user,
      source: 'simulator',
      listened_at: at + i * 60_000,
      song_id: song,
      title: 'Song',
      artist: 'Artist',
      published_at: Date.now(),
    });
    const stream = `${h.config.consumerGroup}/${h.config.listensTopic}`;
    const writer = (hooks: { afterCounters?: () => void; afterUserCounters?: () => Promise<void> }) =>
      new ListenWriter({ store: createStore(h.db), ranked: new RankedSets(h.redis, h.config.keyspace), log: quietLog, retentionDays: h.config.retentionDays, stream, ...hooks });

    // aggregator A (partition 0) dies after writing its counters, before dropping its intent
    const crashing = writer({
      afterCounters: () => {
        throw new Crash('killed');
      },
    });
    await expect(crashing.write([ev(ua, 0), ev(ua, 1)], 0)).rejects.toBeInstanceOf(Crash);

    // aggregator B (partition 1) is between its user counters and its global counters…
    let release!: () => void;
    let reached!: () => void;
    const atUserCounters = new Promise<void>((r) => (reached = r));
    const held = new Promise<void>((r) => (release = r));
    const b = writer({
      afterUserCounters: async () => {
        reached();
        await held;
      },
    });
    const bWrite = b.write([ev(ub, 2), ev(ub, 3), ev(ub, 4)], 1);
    await atUserCounters;

    // …when A's successor recovers partition 0
    const recovered = await writer({}).recoverPartition(0);
    expect(recovered.intents).toBe(1);
    release();
    await bWrite;

    // 2 plays of ua + 3 of ub
    expect((await storedGlobal(h, [day])).get(day)).toEqual([[song, 5]]);
    const totals = new PlayTotalStore(h.db);
    expect(await totals.userDays(ua, [day])).toEqual(new Map([[day, 2]]));
    expect(await totals.userDays(ub, [day])).toEqual(new Map([[day, 3]]));
    expect(await totals.days([day])).toEqual(new Map([[day, 5]]));
  }, 120_000);
});
