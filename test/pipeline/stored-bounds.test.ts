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

/** Every raw-listen write of `store` stores its rows, then throws `message` (until `stop`). */
function failAfterRawListens(store: Store, message: string): { stop(): void } {
  const write = store.listens.write.bind(store.listens);
  let fail = true;
  store.listens.write = async (...args) => {
    await write(...args);
    if (fail) throw new Error(message);
  };
  return { stop: () => (fail = false) };
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
    // a re-crawled copy of a listen this writer stored is dropped without a read
    expect(await w.write([testEvent(user, at(5), 's2')], 0)).toMatchObject({ counted: 0, duplicates: 1 });
    expect(await listenReads()).toBe(before);
    // after a new assignment it knows nothing it wrote: the copy is read and dropped
    w.forgetStored();
    expect(await w.write([testEvent(user, at(5), 's2')], 0)).toMatchObject({ counted: 0, duplicates: 1 });
    expect(await listenReads()).toBeGreaterThan(before);
    expect(await plays(user)).toBe(3);
  }, 60_000);

  it('reads only the span of older listens once the bound is known, counts a late one and keeps the bound', async () => {
    const user = uid('span');
    const w = writer();
    expect((await w.write([testEvent(user, at(0), 's1'), testEvent(user, at(5), 's2'), testEvent(user, at(60), 's3')], 0)).counted).toBe(3);
    // a copy of s2 (known stored: this writer wrote it) and a listen that arrives late, older than what the
    // slice stores: the late one is read over its span
    const before = await listenReads();
    expect(await w.write([testEvent(user, at(5), 's2'), testEvent(user, at(30), 's4')], 0)).toMatchObject({ counted: 1, duplicates: 1 });
    expect(await listenReads()).toBeGreaterThan(before);
    // the span read taught nothing new of the bound, and did not lose it: a later listen reads nothing
    const after = await listenReads();
    expect((await w.write([testEvent(user, at(70), 's5')], 0)).counted).toBe(1);
    expect(await listenReads()).toBe(after);
    expect(await plays(user)).toBe(5);
  }, 60_000);

  it('reads again the copies of a user whose GDPR tombstone made it forget what it wrote', async () => {
    const user = uid('forgot');
    const w = writer();
    expect((await w.write([testEvent(user, at(0), 's1'), testEvent(user, at(5), 's2')], 0)).counted).toBe(2);
    // the aggregator's barrier check found a tombstone: the deletion's sweep may remove these rows
    w.forgetUsers([user]);
    const before = await listenReads();
    expect(await w.write([testEvent(user, at(5), 's2')], 0)).toMatchObject({ counted: 0, duplicates: 1 });
    expect(await listenReads()).toBeGreaterThan(before);
    expect(await plays(user)).toBe(2);
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
    const failing = failAfterRawListens(store, 'connection lost');
    const chunk = [testEvent(user, at(10), 's2'), testEvent(user, at(20), 's3')];
    await expect(w.write(chunk, 0)).rejects.toThrow('connection lost');
    failing.stop();
    // what the aggregator does next: recover the partition's intents, then write the chunk again
    const rec = await w.recoverPartition(0);
    expect(rec.intents).toBe(1);
    expect(await plays(user)).toBe(3);
    const retry = await w.write(chunk, 0);
    expect(retry).toMatchObject({ counted: 0, duplicates: 2 });
    expect(await plays(user)).toBe(3);
  }, 60_000);
});

describe('slices of days without a user_days row are not read', () => {
  it('reads no slice on the first visit of a user whose user_days names none of its days', async () => {
    const user = uid('new');
    const w = writer();
    const before = await listenReads();
    expect((await w.write([testEvent(user, at(0), 's1'), testEvent(user, at(5), 's2')], 0)).counted).toBe(2);
    expect(await listenReads()).toBe(before);
    // a re-crawled copy: the writer stored it, so it is dropped
    expect(await w.write([testEvent(user, at(5), 's2')], 0)).toMatchObject({ counted: 0, duplicates: 1 });
    expect(await plays(user)).toBe(2);
  }, 60_000);

  it('counts once the listens of a process that stored them and died before their index rows', async () => {
    const user = uid('crash');
    const store = createStore(h.db);
    const dying = writer(store);
    // the raw listens land, then the process dies: neither the user_days rows nor the counters are written
    failAfterRawListens(store, 'process killed');
    const chunk = [testEvent(user, at(0), 's1'), testEvent(user, at(10), 's2')];
    await expect(dying.write(chunk, 0)).rejects.toThrow('process killed');
    expect(await createStore(h.db).counts.daysOf(user)).toEqual([]);
    // the next owner recovers the partition's intents (the intent names the slice), then the chunk is replayed
    const next = writer();
    await next.recoverPartition(0);
    expect(await createStore(h.db).counts.daysOf(user)).toEqual([day]);
    expect(await next.write(chunk, 0)).toMatchObject({ counted: 0, duplicates: 2 });
    expect(await plays(user)).toBe(2);
  }, 60_000);

  it('reads the slices of a user with a GDPR tombstone whatever user_days says', async () => {
    const user = uid('gone');
    const store = createStore(h.db);
    // a deletion's sweep raced a chunk of listens published after the tombstone: its raw listens
    // outlived the user_days row the sweep deleted
    const chunk = [testEvent(user, at(0), 's1')];
    await store.listens.write([{ user, day, listens: chunk }], () => 3600, 8);
    expect(await store.counts.daysOf(user)).toEqual([]);
    expect(await writer().write(chunk, 0, undefined, new Set([user]))).toMatchObject({ counted: 0, duplicates: 1 });
    expect(await plays(user)).toBe(0);
  }, 60_000);
});
