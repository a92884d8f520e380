import cassandra from 'cassandra-driver';
import { beforeAll, describe, expect, it } from 'vitest';
import { CountStore } from '../../engine/shared/store/counts';
import { partitionOfUser } from '../../engine/shared/topics';
import { moveGlobalCountsToShards } from '../../main/migrate/data-steps';
import { quietLog, uid, useApiTestClients } from '../api/helpers';

/**
 * The data step of schema version 4 (main/migrate/data-steps.ts): counts kept in the old layout —
 * per-user daily_counts, day_users, one global_daily_counts partition per day — come out as
 * global_shard_counts per (day, Kafka partition of the user), each shard the sum of its users,
 * the old partitions gone; a second run changes nothing.
 */

const PARTITIONS = 6;
const t = useApiTestClients();
let counts: CountStore;

beforeAll(() => {
  counts = new CountStore(t.db);
});

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
      await t.db.execute('UPDATE daily_counts SET plays = plays + ? WHERE user_id = ? AND day = ? AND song_id = ?', [Long.fromNumber(p.n), p.user, LocalDate.fromString(p.day), p.song], opts);
      await t.db.execute('INSERT INTO day_users (day, user_id) VALUES (?, ?)', [LocalDate.fromString(p.day), p.user], opts);
      // the old global row, off by one here and there (a counter write that landed twice): the step re-derives, it does not copy
      await t.db.execute('UPDATE global_daily_counts SET plays = plays + ? WHERE day = ? AND song_id = ?', [Long.fromNumber(p.n + (p.n === 3 ? 1 : 0)), LocalDate.fromString(p.day), p.song], opts);
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
        expect((await t.db.execute('SELECT song_id FROM global_daily_counts WHERE day = ?', [LocalDate.fromString(day)], opts)).rowLength).toBe(0);
      }
    };

    const first = await moveGlobalCountsToShards(t.db, { topicPartitions: PARTITIONS, log: quietLog });
    expect(first).toEqual({ days: days.length, users: new Set(plays.map((p) => `${p.user}|${p.day}`)).size });
    await check();
    // a crash after the step's writes runs it again before the migration is recorded: nothing may change
    await moveGlobalCountsToShards(t.db, { topicPartitions: PARTITIONS, log: quietLog });
    await check();
  }, 180_000);
});
