/**
 * Two aggregators in one consumer group, one partition: whoever owns it spends longer on its first
 * chunk than the group's 30 s session (held between its user and global counter writes, as a
 * cold Cassandra node or a loaded machine can hold it). kafkajs sends heartbeats only when asked,
 * so without the aggregator's KeepAlive the owner was dropped from the group mid-write, the other
 * aggregator took the partition, recovered the pending intent from the raw listens already written,
 * and the first one's global increments then landed on top (seen in the cluster suite as thousands
 * of doubled cells). Every cell must stay exact. Not shown to fail without the KeepAlive: one run
 * with it disabled passed, so kafkajs may heartbeat on its own here (one partition, one fetch) where
 * the cluster's six busy partitions did not; the cluster suite is the check that reproduced it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aggregator } from '../../engine/aggregator/aggregator';
import { ListenPublisher } from '../../engine/crawler/publisher';
import type { ListenEvent } from '../../engine/shared/listen-event';
import { asComparable, createHarness, expectedCounts, expectedGlobal, quietLog, storedCounts, storedGlobal, uid, waitForLag0 } from './harness';
import type { Harness } from './harness';

let h: Harness;
const aggs: Aggregator[] = [];
let pub: ListenPublisher;
const HOLD_MS = 40_000;

beforeAll(async () => {
  h = await createHarness({ TOPK_TOPIC_PARTITIONS: '1' });
  pub = new ListenPublisher(h.kafka, h.config);
}, 120_000);

afterAll(async () => {
  await pub?.close();
  for (const a of aggs) await a.close().catch(() => undefined);
  await h?.close();
}, 120_000);

describe('a chunk longer than the consumer-group session', () => {
  it('keeps its partition (no second aggregator recovers it mid-write): user and global counts exact', async () => {
    let held = 0;
    // the first chunk written by either aggregator is held past the session timeout
    const afterUserCounters = async (): Promise<void> => {
      if (held++ === 0) await new Promise((r) => setTimeout(r, HOLD_MS));
    };
    for (let i = 0; i < 2; i++) {
      const a = new Aggregator({ kafka: h.kafka, db: h.db, redis: h.redis, config: h.config, log: quietLog, statsKey: h.statsKey, afterUserCounters });
      aggs.push(a);
      await a.start();
    }
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const at = Date.parse(`${day}T08:00:00Z`);
    const users = [uid('lb-a'), uid('lb-b')];
    const events: ListenEvent[] = users.flatMap((u) =>
      Array.from({ length: 20 }, (_, i) => ({ v: 1 as const, user_id: u, source: 'test', listened_at: at + i * 60_000, song_id: `s${i % 4}`, title: `T${i % 4}`, artist: 'A', published_at: Date.now() })),
    );
    await pub.publish(events);
    await waitForLag0(h, 180_000);
    expect(held).toBeGreaterThanOrEqual(1);

    const expected = expectedCounts(events);
    for (const u of users) expect(await storedCounts(h, u, [day])).toEqual(asComparable(expected.get(u)));
    expect(await storedGlobal(h, [day])).toEqual(expectedGlobal(expected));
  }, 240_000);
});
