import { CountStore } from '../../engine/shared/store/counts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildCounts } from '../../engine/aggregator/rebuild';
import { createStore } from '../../engine/shared/store/store';
import { UserDataService } from '../../engine/api/gdpr';
import { TopkCache } from '../../engine/api/cache';
import { ApiMetrics } from '../../engine/api/metrics';
import { RankedSets } from '../../engine/shared/ranked-sets';
import type { ListenPublisher } from '../../engine/crawler/publisher';
import type { ListenEvent } from '../../engine/shared/listen-event';
import { asComparable, createHarness, daysBack, expectedCounts, expectedGlobal, quietLog, storedCounts, storedGlobal, testEvent as ev, uid, until, waitForLag0 } from './harness';
import type { Harness } from './harness';

const HOUR = 3_600_000;
let h: Harness;
let pub: ListenPublisher;
/** the aggregator's afterDeletedCheck hook, set by the one test that holds a chunk there */
let afterDeletedCheck: (() => Promise<void>) | undefined;


/** Once the aggregator caught up: the user's counts of the last two days are exactly those of `listens`, each counted once. */
async function expectCountedOnce(user: string, listens: ListenEvent[]): Promise<void> {
  await waitForLag0(h);
  expect(await storedCounts(h, user, daysBack(2))).toEqual(asComparable(expectedCounts(listens).get(user)));
}

beforeAll(async () => {
  h = await createHarness();
  await h.startAggregator({ afterDeletedCheck: async () => afterDeletedCheck?.() });
  pub = h.publisher();
}, 120_000);

afterAll(() => h?.close(), 60_000);

describe('aggregator exactness', () => {
  it('counts an event published twice (and repeated inside a batch) once', async () => {
    const user = uid('dup');
    const now = Date.now();
    const events = [ev(user, now - HOUR, 's1'), ev(user, now - 2 * HOUR, 's1'), ev(user, now - 3 * HOUR, 's2'), ev(user, now - 26 * HOUR, 's2')];
    await pub.publish(events);
    await pub.publish([...events, events[0]!]); // a producer retry / overlapping crawl
    await waitForLag0(h);
    await pub.publish([events[2]!]); // and once more, in a later batch
    await waitForLag0(h);
    const expected = expectedCounts(events);
    expect(await storedCounts(h, user, daysBack(3))).toEqual(asComparable(expected.get(user)));
    const dup = Number(await h.redis.hget(h.statsKey, 'duplicates_dropped'));
    expect(dup).toBeGreaterThanOrEqual(6);
  }, 90_000);

  it('sends malformed events to the DLQ with a reason and keeps counting', async () => {
    const user = uid('dlq');
    const now = Date.now();
    const good = [ev(user, now - HOUR, 'g1'), ev(user, now - HOUR + 1000, 'g2')];
    await pub.publishRaw([
      { key: user, value: '{not json' },
      // a valid event under another user's key: its partition is not its user's, so it would break per-user ordering
      { key: uid('other'), value: JSON.stringify(ev(user, now - HOUR, 'mismatched')) },
      { key: user, value: JSON.stringify({ ...ev(user, now, 'x'), v: 2 }) },
      { key: user, value: JSON.stringify({ ...ev(user, now, 'x'), song_id: '' }) },
      { key: user, value: JSON.stringify({ ...ev(user, now, 'x'), listened_at: 'yesterday' }) },
      { key: user, value: null },
    ]);
    await pub.publish(good);
    await expectCountedOnce(user, good);

    const consumer = h.kafka.consumer({ groupId: uid('dlq-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: h.config.dlqTopic, fromBeginning: true });
    const reasons: string[] = [];
    const keyed: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === user) reasons.push(String(message.headers?.reason));
        else if (message.value?.toString().includes(`"${user}"`)) keyed.push(String(message.headers?.reason));
      },
    });
    await until('6 DLQ messages', async () => reasons.length + keyed.length >= 6, 30_000);
    await consumer.disconnect();
    expect(reasons.sort()).toEqual(['empty_song_id', 'empty_value', 'invalid_json', 'invalid_listened_at', 'unsupported_version']);
    expect(keyed).toEqual(['key_mismatch']);
  }, 90_000);

  it('raw listens expire when they leave retention: TTL = listened_at + retention − now', async () => {
    const user = uid('ttl');
    const now = Date.now();
    const events = [ev(user, now - HOUR, 't1'), ev(user, now - (h.config.retentionDays - 1) * 24 * HOUR - 5 * 60_000, 't2')];
    await pub.publish(events);
    await waitForLag0(h);
    const retentionMs = h.config.retentionDays * 24 * HOUR;
    for (const e of events) {
      const day = new Date(e.listened_at).toISOString().slice(0, 10);
      const row = (await h.db.execute('SELECT TTL(title) AS ttl FROM listens WHERE user_id = ? AND day = ? AND listened_at = ?', [user, day, new Date(e.listened_at)], { prepare: true })).first();
      const expected = (e.listened_at + retentionMs - Date.now()) / 1000;
      expect(Math.abs(Number(row.get('ttl')) - expected)).toBeLessThan(10);
    }
  }, 60_000);

  it('does not count a listen older than retention', async () => {
    const user = uid('ret');
    const now = Date.now();
    const old = ev(user, now - (h.config.retentionDays * 24 + 2) * HOUR, 'old');
    const fresh = ev(user, now - (h.config.retentionDays - 1) * 24 * HOUR, 'fresh');
    const before = Number((await h.redis.hget(h.statsKey, 'expired_dropped')) ?? 0);
    await pub.publish([old, fresh]);
    await waitForLag0(h);
    const days = daysBack(h.config.retentionDays + 2);
    expect(await storedCounts(h, user, days)).toEqual(asComparable(expectedCounts([fresh]).get(user)));
    expect(Number(await h.redis.hget(h.statsKey, 'expired_dropped'))).toBe(before + 1);
  }, 60_000);

  it('drops events of a deleted user published before the deletion', async () => {
    const user = uid('del');
    const now = Date.now();
    const before = ev(user, now - HOUR, 'b', { published_at: now - 10_000 });
    await h.db.execute('INSERT INTO deleted_users (user_id, deleted_at) VALUES (?, ?)', [user, new Date(now - 5000)], { prepare: true });
    const after = ev(user, now - HOUR, 'a', { published_at: now });
    await pub.publish([before, after]);
    await expectCountedOnce(user, [after]);
  }, 60_000);

  it('a deletion is a barrier: an event published before it and replayed right after it never counts', async () => {
    const user = uid('gone');
    const now = Date.now();
    const counted = ev(user, now - HOUR, 'g1', { published_at: now - 2000 });
    await pub.publish([counted]);
    await expectCountedOnce(user, [counted]); // the aggregator has looked the user up: not deleted
    // the DELETE's first step, before its 202: the tombstone
    await createStore(h.db).users.markDeleted(user, new Date(now));
    // at once (no wait for any cache to expire) Kafka replays an event published before the deletion
    await pub.publish([ev(user, now - HOUR, 'g2', { published_at: now - 1000 })]);
    await expectCountedOnce(user, [counted]);
  }, 60_000);

  it('a deletion waits for a chunk that checked deleted_users just before the tombstone: nothing of the user is written after the sweep', async () => {
    const user = uid('race');
    const now = Date.now();
    const songs = [uid('s'), uid('s')];
    const events = songs.map((song, i) => ev(user, now - HOUR + i, song, { published_at: now - 1000 }));
    // the interleaving: the chunk has checked (user not deleted) and waits here; meanwhile the DELETE runs
    let held!: () => void;
    let release!: () => void;
    const checked = new Promise<void>((r) => (held = r));
    const released = new Promise<void>((r) => (release = r));
    afterDeletedCheck = async () => {
      afterDeletedCheck = undefined;
      held();
      await released;
    };
    await pub.publish(events);
    await checked;
    const store = createStore(h.db);
    let waitedFor: number | undefined;
    const gdpr = new UserDataService({
      store,
      ranked: new RankedSets(h.redis, h.config.keyspace),
      cache: new TopkCache({ redis: h.redis, keyspace: h.config.keyspace, ttlSeconds: 60, metrics: new ApiMetrics({ pipelineStats: async () => null, consumerLag: async () => null }, { defaultMetrics: false }), log: quietLog }),
      crawl: undefined,
      retentionDays: h.config.retentionDays,
      now: Date.now,
      log: quietLog,
      waitingForChunks: (n) => {
        waitedFor = n;
        release(); // the held chunk writes now, after the tombstone: the sweep must come after it
      },
    });
    // with the barrier the deletion lets the chunk go and waits for it; without, the sweep is over before the chunk writes
    await gdpr.deleteUser(user);
    release();
    await waitForLag0(h);
    const days = daysBack(2);
    expect(await storedCounts(h, user, days)).toEqual(new Map());
    for (const day of days) expect(await store.listens.count(user, day)).toBe(0);
    expect(await store.counts.daysOf(user)).toEqual([]);
    const global = await storedGlobal(h, days);
    for (const [, rows] of global) for (const [song] of rows) expect(songs).not.toContain(song);
    expect(await store.chunksInFlight.open()).toEqual([]);
    // the held chunk (this keyspace's only aggregator was held on it, so no other chunk was in flight)
    expect(waitedFor).toBe(1);
  }, 90_000);

  it('after a deletion, listens published later write the day indexes again (the aggregator writes each index row once until then)', async () => {
    const user = uid('back');
    const now = Date.now();
    const at = now - HOUR;
    const day = new Date(at).toISOString().slice(0, 10);
    const store = createStore(h.db);
    await pub.publish([ev(user, at, 'i1', { published_at: now - 2000 })]);
    await waitForLag0(h);
    expect(await store.counts.daysOf(user)).toContain(day);
    // the DELETE (engine/api/gdpr.ts): tombstone first, the user's plays out of the global counts, then the rows, index rows included
    await store.users.markDeleted(user, new Date(now));
    const shard = (await store.counts.shardsOf(user, day))[0] ?? 0;
    await store.counts.addGlobal(day, shard, 'i1', -1);
    await store.playTotals.deleteUserDay(user, day, shard);
    await store.counts.deleteUserDay(user, day);
    await store.counts.deleteUserOn(day, user);
    await store.listens.deleteSlice(user, day);
    await store.counts.deleteDaysOf(user);
    // the user comes back: a listen of the same day, published after the deletion
    const back = ev(user, at + 1, 'i2', { published_at: now + 1000 });
    await pub.publish([back]);
    await expectCountedOnce(user, [back]);
    expect(await store.counts.daysOf(user)).toContain(day);
    expect(await store.counts.usersOn(day)).toContain(user);
  }, 60_000);

  it('rebuild repairs a tampered count and reports it; global counts match the users', async () => {
    const user = uid('reb');
    const now = Date.now();
    const events = [ev(user, now - HOUR, 'r1'), ev(user, now - HOUR - 1000, 'r1'), ev(user, now - 2 * HOUR, 'r2')];
    await pub.publish(events);
    await waitForLag0(h);
    const day = new Date(now - HOUR).toISOString().slice(0, 10);
    await h.db.execute('UPDATE daily_counts SET plays = plays + 5 WHERE user_id = ? AND day = ? AND song_id = ?', [user, day, 'r1'], { prepare: true });
    await h.db.execute('UPDATE daily_counts SET plays = plays + 1 WHERE user_id = ? AND day = ? AND song_id = ?', [user, day, 'ghost'], { prepare: true });
    // a double-applied counter update hits the global row too (in the shard of the user's partition)
    const [shard] = await new CountStore(h.db).shardsOf(user, day);
    const tamperGlobal = (song: string, n: number) =>
      h.db.execute('UPDATE global_shard_counts SET plays = plays + ? WHERE day = ? AND shard = ? AND song_id = ?', [n, day, shard, song], { prepare: true });
    await tamperGlobal('r1', 5);
    await tamperGlobal('ghost', 1);
    const r = await rebuildCounts(createStore(h.db), { user, days: 2 });
    const fixes = r.fixes.map((f) => [f.song_id, f.before, f.after]).sort();
    expect(fixes).toEqual([
      ['ghost', 1, 0],
      ['r1', 7, 2],
    ]);
    expect(await storedCounts(h, user, daysBack(2))).toEqual(asComparable(expectedCounts(events).get(user)));
    const again = await rebuildCounts(createStore(h.db), { user, days: 2 });
    expect(again.fixes).toEqual([]);
    expect((await rebuildCounts(createStore(h.db), { days: 2, dryRun: true })).globalFixes).toEqual([]);
    // tamper a global count too: a full rebuild re-derives global counts from the users' counts
    await tamperGlobal('r2', 4);
    const full = await rebuildCounts(createStore(h.db), { days: h.config.retentionDays });
    expect(full.fixes).toEqual([]);
    expect(full.globalFixes.map((f) => [f.song_id, f.before - f.after])).toEqual([['r2', 4]]);
  }, 60_000);

  it('global counts equal the sum of every user of this keyspace', async () => {
    // all users of this file share the keyspace: recompute their expected sum from stored user counts
    const days = daysBack(h.config.retentionDays);
    const users = (await h.db.execute('SELECT DISTINCT user_id FROM user_days')).rows.map((r) => r.user_id as string);
    const perUser = new Map<string, Map<string, Map<string, number>>>();
    for (const u of users) {
      const m = new Map<string, Map<string, number>>();
      for (const [d, list] of await storedCounts(h, u, days)) m.set(d, new Map(list));
      perUser.set(u, m);
    }
    expect(await storedGlobal(h, days)).toEqual(expectedGlobal(perUser));
  }, 60_000);
});
