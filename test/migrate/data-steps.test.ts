import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Config } from '../../engine/shared/config';
import { CountStore } from '../../engine/shared/store/counts';
import { PlayTotalStore } from '../../engine/shared/store/play-totals';
import { partitionOfUser } from '../../engine/shared/topics';
import { moveDayTotalsToShards, moveGlobalCountsToShards } from '../../main/migrate/data-steps';
import { listMigrations, migrate } from '../../main/migrate/migrator';
import { cqlId, testConfig } from '../helpers';
import { connect, dropKeyspace, isolatedConfig, quietLog, uid } from '../api/helpers';

/**
 * The data steps of main/migrate/data-steps.ts.
 *
 * Version 4: counts kept in the old layout — per-user daily_counts, day_users, one
 * global_daily_counts partition per day — come out as global_shard_counts per (day, Kafka
 * partition of the user), each shard the sum of its users, the old partitions gone; a second
 * run changes nothing.
 *
 * Version 10: an install at version 9 with play totals in day_totals (sharded by user) is
 * migrated the way `topk serve` does it; each day's total comes out in day_shard_totals per
 * (day, Kafka partition), each shard the sum of its users' totals — exact even where the old
 * total was not —, day_totals empty; a second run changes nothing.
 */

const PARTITIONS = 6;
let config: Config;
let db: CassandraClient;
let counts: CountStore;

beforeAll(async () => {
  config = await isolatedConfig();
  db = connect(config);
  counts = new CountStore(db);
}, 300_000);

afterAll(async () => {
  if (db) await dropKeyspace(db, config.keyspace);
}, 60_000);

const { LocalDate, Long } = cassandra.types;
const opts = { prepare: true };

describe('schema 4 data step: global counts into per-partition shards', () => {
  it('re-derives every shard from its users, deletes the old day partitions, and is idempotent', async () => {
    const days = ['2026-11-28', '2026-11-29'];
    const users = Array.from({ length: 8 }, () => uid('mig'));
    // old layout: per-user counters and the day index, as a version before 0004 wrote them
    const plays: Array<{ user: string; day: string; song: string; n: number }> = [];
    users.forEach((user, i) => {
      for (const [j, day] of days.entries()) if ((i + j) % 3 !== 0) plays.push({ user, day, song: `s${(i * 7 + j) % 4}`, n: 1 + ((i + j) % 5) });
    });
    for (const p of plays) {
      await db.execute('UPDATE daily_counts SET plays = plays + ? WHERE user_id = ? AND day = ? AND song_id = ?', [Long.fromNumber(p.n), p.user, LocalDate.fromString(p.day), p.song], opts);
      await db.execute('INSERT INTO day_users (day, user_id) VALUES (?, ?)', [LocalDate.fromString(p.day), p.user], opts);
      // the old global row, off by one here and there (a counter write that landed twice): the step re-derives, it does not copy
      await db.execute('UPDATE global_daily_counts SET plays = plays + ? WHERE day = ? AND song_id = ?', [Long.fromNumber(p.n + (p.n === 3 ? 1 : 0)), LocalDate.fromString(p.day), p.song], opts);
    }
    // independent expectation: per day, per Kafka partition of the user, per song
    const want = new Map<string, Map<number, Map<string, number>>>();
    for (const p of plays) {
      const shard = partitionOfUser(p.user, PARTITIONS);
      const byShard = want.get(p.day) ?? new Map<number, Map<string, number>>();
      want.set(p.day, byShard);
      const songs = byShard.get(shard) ?? new Map<string, number>();
      byShard.set(shard, songs);
      songs.set(p.song, (songs.get(p.song) ?? 0) + p.n);
    }
    expect(new Set([...want.values()].flatMap((m) => [...m.keys()])).size).toBeGreaterThan(1); // several shards in play

    const check = async (): Promise<void> => {
      for (const day of days) {
        const byShard = want.get(day)!;
        expect((await counts.shardsOn(day)).sort()).toEqual([...byShard.keys()].sort());
        const total = new Map<string, number>();
        for (const [shard, songs] of byShard) {
          expect(await counts.shardDay(day, shard)).toEqual(songs);
          const shardUsers = [...new Set(plays.filter((p) => p.day === day && partitionOfUser(p.user, PARTITIONS) === shard).map((p) => p.user))].sort();
          expect((await counts.usersOnShard(day, shard)).sort()).toEqual(shardUsers);
          for (const [s, n] of songs) total.set(s, (total.get(s) ?? 0) + n);
        }
        expect(await counts.globalDay(day)).toEqual(total);
        expect((await db.execute('SELECT song_id FROM global_daily_counts WHERE day = ?', [LocalDate.fromString(day)], opts)).rowLength).toBe(0);
      }
    };

    const first = await moveGlobalCountsToShards(db, { topicPartitions: PARTITIONS, log: quietLog });
    expect(first).toEqual({ days: days.length, users: new Set(plays.map((p) => `${p.user}|${p.day}`)).size });
    await check();
    // a crash after the step's writes runs it again before the migration is recorded: nothing may change
    await moveGlobalCountsToShards(db, { topicPartitions: PARTITIONS, log: quietLog });
    await check();
  }, 300_000);
});

describe('schema 10 data step: day totals into per-partition shards', () => {
  let old: Config;
  let odb: CassandraClient;

  beforeAll(async () => {
    // an install at version 9: the migrations before 0010, from a copy of cql/ that stops there
    const dir = mkdtempSync(join(tmpdir(), 'topk-cql9-'));
    for (const m of listMigrations()) if (m.version < 10) copyFileSync(m.path, join(dir, m.file));
    old = testConfig({ TOPK_KEYSPACE: cqlId('topk_mig') });
    const r = await migrate(old, quietLog, { dir });
    expect(r.applied.at(-1)).toMatch(/^0009_/);
    odb = connect(old);
  }, 300_000);

  afterAll(async () => {
    if (odb) await dropKeyspace(odb, old.keyspace);
  }, 60_000);

  it('re-derives each (day, Kafka partition) total from its users, empties day_totals, and is idempotent', async () => {
    const days = ['2026-11-25', '2026-11-26'];
    const partitions = old.topicPartitions;
    const users = Array.from({ length: 10 }, () => uid('tot'));
    const totals: Array<{ user: string; day: string; n: number }> = [];
    users.forEach((user, i) => {
      for (const [j, day] of days.entries()) if ((i + j) % 4 !== 0) totals.push({ user, day, n: 1 + ((i * 3 + j) % 7) });
    });
    // what a version-9 aggregator wrote: the user's total, the indexes of its global shard (its Kafka partition),
    // and the day total in the shard of hash(user) mod 8 — here one of them 258 too high (the cluster run's race)
    for (const [k, t] of totals.entries()) {
      const day = LocalDate.fromString(t.day);
      const p = partitionOfUser(t.user, partitions);
      await odb.execute('UPDATE user_day_totals SET plays = plays + ? WHERE user_id = ? AND day = ?', [Long.fromNumber(t.n), t.user, day], opts);
      await odb.execute('UPDATE day_totals SET plays = plays + ? WHERE day = ? AND shard = ?', [Long.fromNumber(t.n + (k === 3 ? 258 : 0)), day, k % 8], opts);
      await odb.execute('INSERT INTO user_days (user_id, day, shards) VALUES (?, ?, ?)', [t.user, day, [p]], opts);
      await odb.execute('INSERT INTO day_users (day, user_id) VALUES (?, ?)', [day, t.user], opts);
      await odb.execute('INSERT INTO day_shards (day, shard) VALUES (?, ?)', [day, p], opts);
      await odb.execute('INSERT INTO day_shard_users (day, shard, user_id) VALUES (?, ?, ?)', [day, p, t.user], opts);
    }
    // a day left in day_totals with no user any more
    await odb.execute('UPDATE day_totals SET plays = plays + ? WHERE day = ? AND shard = ?', [Long.fromNumber(4), LocalDate.fromString('2026-11-24'), 5], opts);

    // independent expectation: per day, per Kafka partition of the user
    const want = new Map<string, Map<number, number>>();
    for (const t of totals) {
      const byShard = want.get(t.day) ?? new Map<number, number>();
      want.set(t.day, byShard);
      const p = partitionOfUser(t.user, partitions);
      byShard.set(p, (byShard.get(p) ?? 0) + t.n);
    }
    expect(new Set([...want.values()].flatMap((m) => [...m.keys()])).size).toBeGreaterThan(1); // several shards in play

    const check = async (): Promise<void> => {
      for (const day of days) {
        const rs = await odb.execute('SELECT shard, plays FROM day_shard_totals WHERE day = ? AND shard IN ?', [LocalDate.fromString(day), Array.from({ length: partitions }, (_, i) => i)], opts);
        expect(new Map(rs.rows.map((r) => [r.get('shard') as number, Number(r.get('plays'))]))).toEqual(want.get(day));
      }
      expect(await new PlayTotalStore(odb).days(['2026-11-24', ...days])).toEqual(new Map(days.map((d) => [d, [...want.get(d)!.values()].reduce((a, n) => a + n, 0)])));
      expect((await odb.execute('SELECT day FROM day_totals')).rowLength).toBe(0);
    };

    // the upgrade: the full cql/ on the version-9 keyspace applies 0010 and runs its data step
    const r = await migrate(old, quietLog);
    expect(r.applied).toContain(listMigrations().find((m) => m.version === 10)!.file);
    await check();
    // a crash after the step's writes runs it again before the migration is recorded: nothing may change
    expect(await moveDayTotalsToShards(odb, { topicPartitions: partitions, log: quietLog })).toEqual({ days: days.length, shards: [...want.values()].reduce((a, m) => a + m.size, 0) });
    await check();
  }, 240_000);
});
