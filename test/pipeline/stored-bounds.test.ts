/**
 * The dedupe read skipped for listens later than everything a slice holds (issue 16): the
 * writer remembers an upper bound of what each (user, day) stores. Counts must stay exact
 * when someone else wrote the slice meanwhile (another owner of the partition during a
 * rebalance) and when a write failed after some of its raw listens were stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenWriter } from '../../engine/aggregator/listen-writer';
import { RankedSets } from '../../engine/shared/ranked-sets';
import { createStore } from '../../engine/shared/store/store';
import type { Store } from '../../engine/shared/store/store';
import { readTableOps } from '../../bench/cassandra-profile';
import { createHarness, quietLog, storedCounts, testEvent, uid } from './harness';
import type { Harness } from './harness';

let h: Harness;
const MIN = 60_000;

beforeAll(async () => {
  h = await createHarness();
}, 120_000);

afterAll(() => h?.close(), 60_000);

const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const at = (minute: number): number => Date.parse(`${day}T08:00:00Z`) + minute * MIN;

function writer(store: Store = createStore(h.db)): ListenWriter {
  return new ListenWriter({ store, ranked: new RankedSets(h.redis, h.config.keyspace), log: quietLog, retentionDays: h.config.retentionDays, stream: `${h.config.consumerGroup}/${h.config.listensTopic}` });
}

async function listenReads(): Promise<number> {
  return (await readTableOps(h.db, h.config.keyspace)).get('listens')?.reads ?? 0;
}

async function plays(user: string): Promise<number> {
  const c = await storedCounts(h, user, [day]);
  return (c.get(day) ?? []).reduce((n, [, p]) => n + p, 0);
}

describe('dedupe reads skipped for later listens', () => {
  it('reads a slice once, then not for listens later than what it stores', async () => {
    const user = uid('later');
    const w = writer();
    expect((await w.write([testEvent(user, at(0), 's1'), testEvent(user, at(5), 's2')], 0)).counted).toBe(2);
    const before = await listenReads();
    expect((await w.write([testEvent(user, at(10), 's3')], 0)).counted).toBe(1);
    expect(await listenReads()).toBe(before);
    // a re-crawled copy of an older listen is read and dropped
    const again = await w.write([testEvent(user, at(5), 's2')], 0);
    expect(again).toMatchObject({ counted: 0, duplicates: 1 });
    expect(await listenReads()).toBeGreaterThan(before);
    expect(await plays(user)).toBe(3);
  }, 60_000);

  it('sees what another owner of the partition wrote once its assignment is new', async () => {
    const user = uid('owner');
    const a = writer();
    await a.write([testEvent(user, at(0), 's1')], 0);
    // a rebalance: another process owns the partition for a while and counts a later listen
    await writer().write([testEvent(user, at(30), 's2')], 0);
    // the partition comes back; the other owner's last chunk is replayed with one more listen
    a.forgetStored();
    const r = await a.write([testEvent(user, at(30), 's2'), testEvent(user, at(40), 's3')], 0);
    expect(r).toMatchObject({ counted: 1, duplicates: 1 });
    expect(await plays(user)).toBe(3);
  }, 60_000);

  it('counts once the listens of a write that failed after storing them, recovered and retried', async () => {
    const user = uid('failed');
    const store = createStore(h.db);
    const w = writer(store);
    await w.write([testEvent(user, at(0), 's1')], 0);
    // the raw listens land, then the connection drops before the counters
    const write = store.listens.write.bind(store.listens);
    let fail = true;
    store.listens.write = async (...args) => {
      await write(...args);
      if (fail) throw new Error('connection lost');
    };
    const chunk = [testEvent(user, at(10), 's2'), testEvent(user, at(20), 's3')];
    await expect(w.write(chunk, 0)).rejects.toThrow('connection lost');
    fail = false;
    // what the aggregator does next: recover the partition's intents, then write the chunk again
    const rec = await w.recoverPartition(0);
    expect(rec.intents).toBe(1);
    expect(await plays(user)).toBe(3);
    const retry = await w.write(chunk, 0);
    expect(retry).toMatchObject({ counted: 0, duplicates: 2 });
    expect(await plays(user)).toBe(3);
  }, 60_000);
});
