/**
 * A counter write that fails on the client may still be applied by Cassandra
 * afterwards (a timeout is not a "no"). The aggregator must not recompute from
 * the raw listens before such a late write has landed, or the late increment
 * counts a second time on top of the recomputed value.
 *
 * The Cassandra client handed to the aggregator answers the first counter
 * batch with an immediate error and applies it for real a moment later — the
 * shape of a client-side timeout on a slow node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CassandraClient } from '../../engine/shared/cassandra';
import { interceptCounterBatches } from '../helpers/counter-batches';
import { asComparable, createHarness, daysBack, expectedCounts, expectedGlobal, halfHourlyEvents, storedCounts, storedGlobal, uid, until, waitForLag0 } from './harness';
import type { Harness } from './harness';

const LATE_MS = 1500;
let h: Harness;
let lateWrites = 0;

/** `db` whose first `armed` counter batch fails at once and is applied LATE_MS later. */
function lateCounterWrites(db: CassandraClient, armed: { left: number }): CassandraClient {
  return interceptCounterBatches(db, (send) => {
    if (armed.left <= 0) return send();
    armed.left--;
    setTimeout(() => {
      send()
        .then(() => lateWrites++)
        .catch(() => undefined);
    }, LATE_MS);
    return Promise.reject(new Error('simulated client-side timeout (the write lands later)'));
  });
}


beforeAll(async () => {
  h = await createHarness({ TOPK_TOPIC_PARTITIONS: '1' });
  const armed = { left: 1 };
  await h.startAggregator({
    db: lateCounterWrites(h.db, armed),
    // longer than the late write takes, shorter than the production default (11 s) to keep the test quick
    settleMs: LATE_MS + 1500,
  });
}, 120_000);

afterAll(() => h?.close(), 60_000);

describe('a counter write that fails but lands later', () => {
  it('is counted once: recovery waits for it to settle before recomputing', async () => {
    const users = [uid('late-a'), uid('late-b')];
    const events = halfHourlyEvents(users, 40, 7);
    await h.publish(events);
    await waitForLag0(h, 90_000);
    // the late batch really was applied (otherwise this test would prove nothing)
    await until('the late counter batch', async () => lateWrites === 1, 10_000);
    const expected = expectedCounts(events);
    for (const u of users) expect(await storedCounts(h, u, daysBack(2))).toEqual(asComparable(expected.get(u)));
    expect(await storedGlobal(h, daysBack(2))).toEqual(expectedGlobal(expected));
  }, 120_000);
});
