/**
 * A counter write that times out because the Cassandra node leading it died may
 * still have been applied on that node (it applies a counter increment locally
 * before replicating it) and come back with the node's commit-log replay,
 * minutes after the aggregator's recovery has counted the same plays from the
 * raw listens. The recovery cannot see that increment while the node is down,
 * so it keeps its intent and recovers it again, reading the counters at ALL,
 * once every node is up.
 *
 * On the single-node stack the test plays the cluster: `nodesUp` says a node is
 * down while the first chunk fails, the chunk's counter batches fail at once and
 * are held back, and the test applies them itself right after the recovery —
 * the restarted leader's replay. Without the re-verification every cell of that
 * chunk (user, global, play totals) ends up counted twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CassandraClient } from '../../engine/shared/cassandra';
import { interceptCounterBatches } from '../helpers/counter-batches';
import type { SendBatch } from '../helpers/counter-batches';
import type { ListenEvent } from '../../engine/shared/listen-event';
import type { PartitionRecovery } from '../../engine/aggregator/intent-verification';
import { PlayTotalStore } from '../../engine/shared/store/play-totals';
import { IntentStore } from '../../engine/shared/store/intents';
import { asComparable, createHarness, daysBack, expectedCounts, expectedGlobal, halfHourlyEvents, storedCounts, storedGlobal, testEvent as ev, uid, waitForLag0 } from './harness';
import type { Harness } from './harness';


let h: Harness;
const cluster = { up: true };
/** counter batches of the failing chunk, held back: what the dead leader applied before it died */
const held: SendBatch[] = [];
const failing = { armed: false };
const recoveries: PartitionRecovery[] = [];

/** `db` whose counter batches fail at once while `failing.armed`, held back instead of applied. */
function deadLeader(db: CassandraClient): CassandraClient {
  return interceptCounterBatches(db, (send) => {
    if (!failing.armed) return send();
    held.push(send);
    return Promise.reject(new Error('Server timeout during write query at consistency ONE (0 peer(s) acknowledged the write over 1 required)'));
  });
}


beforeAll(async () => {
  h = await createHarness({ TOPK_TOPIC_PARTITIONS: '1' });
  await h.startAggregator({
    db: deadLeader(h.db),
    settleMs: 200,
    nodesUp: () => cluster.up,
    afterRecovery: async (_partition, r) => {
      recoveries.push(r);
      if (!failing.armed || r.intents === 0) return;
      // the chunk's failed attempt was recovered: its counters stop failing, and the dead leader comes
      // back and replays the increments it had applied before it died
      failing.armed = false;
      for (const send of held) await send();
    },
  });
}, 120_000);

afterAll(() => h?.close(), 60_000);

describe('a counter increment that comes back with a restarted Cassandra node', () => {
  it('is taken out again: the intent recovered while a node was down is recovered at ALL once every node is up', async () => {
    const users = [uid('replay-a'), uid('replay-b')];
    const now = Date.now();
    const first = halfHourlyEvents(users, 30, 6, now);

    // a node is down while the chunk's counter writes fail
    cluster.up = false;
    failing.armed = true;
    await h.publish(first);
    await waitForLag0(h, 90_000);
    expect(held.length).toBeGreaterThan(0);
    expect(failing.armed).toBe(false);
    const stream = `${h.config.consumerGroup}/${h.config.listensTopic}`;
    const keptWhileDown = await new IntentStore(h.db).pending(stream, 0);

    // every node is up again: the partition's next batch recovers the kept intent at ALL first
    cluster.up = true;
    const second: ListenEvent[] = users.map((u, i) => ev(u, now - 10 * 60_000 - i, 's-new'));
    await h.publish(second);
    await waitForLag0(h, 90_000);

    const all = [...first, ...second];
    const expected = expectedCounts(all);
    const days = daysBack(2);
    for (const u of users) expect(await storedCounts(h, u, days)).toEqual(asComparable(expected.get(u)));
    expect(await storedGlobal(h, days)).toEqual(expectedGlobal(expected));
    const totals = new PlayTotalStore(h.db);
    for (const u of users) {
      const want = new Map<string, number>();
      for (const [d, songs] of expected.get(u) ?? new Map<string, Map<string, number>>()) want.set(d, [...songs.values()].reduce((a, n) => a + n, 0));
      expect(await totals.userDays(u, days)).toEqual(want);
    }
    const perDay = new Map<string, number>();
    for (const e of all) {
      const d = new Date(e.listened_at).toISOString().slice(0, 10);
      perDay.set(d, (perDay.get(d) ?? 0) + 1);
    }
    expect(await totals.days(days)).toEqual(perDay);

    // how: the recovery with the node down kept the intent (cql/0009), the one after the node was back read at ALL and dropped it
    expect(recoveries.filter((r) => r.intents > 0)).toEqual([
      { intents: 1, fixes: expect.any(Number) as number, kept: 1, allFailed: false },
      { intents: 1, fixes: expect.any(Number) as number, kept: 0, allFailed: false },
    ]);
    expect(keptWhileDown).toHaveLength(1);
    expect(keptWhileDown[0]!.recoveredAt).toBeInstanceOf(Date);
    expect(await new IntentStore(h.db).pending(stream, 0)).toEqual([]);
  }, 180_000);
});
