import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Janitor } from '../../engine/crawler/janitor';
import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Config } from '../../engine/shared/config';
import { RankedSets } from '../../engine/shared/ranked-sets';
import { createRedis } from '../../engine/shared/redis';
import { CountStore } from '../../engine/shared/store/counts';
import { PlayTotalStore } from '../../engine/shared/store/play-totals';
import { DAY_MS, connect, dropKeyspace, isolatedConfig, quietLog, uid, writeListens } from '../api/helpers';
import type { TestListen } from '../api/helpers';
import { testConfig } from '../helpers';

/**
 * The two maintenance paths nothing else exercises end to end (issue #22, point 7):
 * the janitor's sweep of counters past retention, and `topk rebuild` run as the CLI.
 * Each keeps its own keyspace: both read every user of it.
 */

const ROOT = join(import.meta.dirname, '../..');
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const positive = (m: Map<string, number>): Map<string, number> => new Map([...m].filter(([, n]) => n > 0));

/** Independent counts of listens: song → plays, for one user (or every user) and one UTC day. */
function countsOf(listens: TestListen[], day: string, user?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of listens) if (dayOf(l.listened_at) === day && (user === undefined || l.user_id === user)) out.set(l.song_id, (out.get(l.song_id) ?? 0) + 1);
  return out;
}

function listen(user: string, at: number, song: string): TestListen {
  return { user_id: user, listened_at: at, song_id: song, title: `T ${song}`, artist: 'A' };
}

interface Space {
  config: Config;
  db: CassandraClient;
  counts: CountStore;
}
const spaces: Space[] = [];
let redis: Redis;

async function space(): Promise<Space> {
  const config = await isolatedConfig();
  const db = connect(config);
  const s = { config, db, counts: new CountStore(db) };
  spaces.push(s);
  return s;
}

beforeAll(() => {
  redis = createRedis(testConfig(), quietLog);
});

afterAll(async () => {
  for (const s of spaces) await dropKeyspace(s.db, s.config.keyspace);
  await redis?.quit();
}, 60_000);

describe('janitor', () => {
  it('deletes the counters, totals and day indexes of days before retention, and keeps the oldest day retained exactly', async () => {
    const s = await space();
    const now = Date.now();
    const cutoff = Janitor.cutoffDay(s.config.retentionDays, now);
    const cutoffMs = Date.parse(`${cutoff}T00:00:00Z`);
    const [ann, bob] = [uid('ann'), uid('bob')];
    const expired = [listen(ann, cutoffMs - DAY_MS + 3_600_000, 'old1'), listen(ann, cutoffMs - 60_000, 'old2'), listen(bob, cutoffMs - 2 * DAY_MS, 'old1')];
    const kept = [listen(ann, cutoffMs + 60_000, 'k1'), listen(ann, cutoffMs + 120_000, 'k1'), listen(bob, cutoffMs + 3_600_000, 'k2'), listen(bob, now - 3_600_000, 'k3')];
    await writeListens(s.db, [...expired, ...kept], new RankedSets(redis, s.config.keyspace));
    const oldDays = [...new Set(expired.map((l) => dayOf(l.listened_at)))];
    const keptDays = [...new Set(kept.map((l) => dayOf(l.listened_at)))];
    for (const d of oldDays) expect((await s.counts.globalDay(d)).size).toBeGreaterThan(0); // written: the sweep has work

    const totals = new PlayTotalStore(s.db);
    expect([...(await totals.days(oldDays)).keys()].sort()).toEqual([...oldDays].sort());

    const janitor = new Janitor({ counts: s.counts, playTotals: totals, log: quietLog, retentionDays: s.config.retentionDays });
    const r = await janitor.sweep(now);
    expect(r).toEqual({ userDays: 2, globalDays: 2 }); // ann's and bob's expired days
    for (const d of oldDays) {
      for (const u of [ann, bob]) expect(await s.counts.userDay(u, d)).toEqual(new Map());
      expect(await s.counts.globalDay(d)).toEqual(new Map());
      expect(await s.counts.usersOn(d)).toEqual([]);
      for (const u of [ann, bob]) expect(await totals.userDays(u, [d])).toEqual(new Map());
      // the day's total shards, read directly: day_shards (what a read sums over) is gone with the global counts
      expect((await s.db.execute('SELECT plays FROM day_shard_totals WHERE day = ? AND shard = 0', [d], { prepare: true })).rowLength).toBe(0);
    }
    for (const u of [ann, bob]) expect((await s.counts.daysOf(u)).sort()).toEqual(keptDays.filter((d) => kept.some((l) => l.user_id === u && dayOf(l.listened_at) === d)).sort());
    for (const d of keptDays) {
      for (const u of [ann, bob]) expect(positive(await s.counts.userDay(u, d))).toEqual(countsOf(kept, d, u));
      expect(positive(await s.counts.globalDay(d))).toEqual(countsOf(kept, d));
    }
    expect(await totals.days(keptDays)).toEqual(new Map(keptDays.map((d) => [d, kept.filter((l) => dayOf(l.listened_at) === d).length])));
    // a second sweep finds nothing
    expect(await janitor.sweep(now)).toEqual({ userDays: 0, globalDays: 0 });
  }, 120_000);
});

function topk(args: string[], config: Config): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/topk.mjs', ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        TOPK_DATA_DIR: config.dataDir,
        TOPK_API_TOKEN: config.apiToken,
        TOPK_CASSANDRA_CONTACT_POINTS: config.cassandraContactPoints.join(','),
        TOPK_CASSANDRA_LOCAL_DC: config.cassandraLocalDc,
        TOPK_REDIS_URL: config.redisUrl,
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('npx topk rebuild', () => {
  it('repairs tampered user and global counts and day totals, prints each fix, and leaves counts equal to the raw listens', async () => {
    const s = await space();
    const now = Date.now();
    const [ann, bob] = [uid('ann'), uid('bob')];
    const listens = [
      listen(ann, now - 3_600_000, 'r1'),
      listen(ann, now - 3_600_000 + 1000, 'r1'),
      listen(ann, now - DAY_MS, 'r2'),
      listen(bob, now - 3_600_000 + 2000, 'r1'),
      listen(bob, now - DAY_MS - 1000, 'r3'),
    ];
    await writeListens(s.db, listens, new RankedSets(redis, s.config.keyspace));
    const today = dayOf(now - 3_600_000);
    const yesterday = dayOf(now - DAY_MS);
    // a double-applied counter update, a count without any listen, and the global rows they went to
    await s.counts.addUser(ann, today, 'r1', 4);
    await s.counts.addUser(bob, yesterday, 'ghost', 2);
    await s.counts.addGlobal(today, 0, 'r1', 4);
    await s.counts.addGlobal(yesterday, 0, 'ghost', 2);
    // and a day total off by the same plays (in the shard the listens were counted in)
    await s.db.execute('UPDATE day_shard_totals SET plays = plays + 4 WHERE day = ? AND shard = 0', [today], { prepare: true });

    const bad = await topk(['rebuild', '--keyspace', s.config.keyspace, '--days', '0'], s.config);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--days must be an integer between 1 and');

    const r = await topk(['rebuild', '--keyspace', s.config.keyspace], s.config);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`fixed user=${ann} day=${today} song=r1: 6 -> 2`);
    expect(r.out).toContain(`fixed user=${bob} day=${yesterday} song=ghost: 2 -> 0`);
    expect(r.out).toContain(`fixed global day=${today} song=r1: 7 -> 3`);
    expect(r.out).toContain(`fixed global day=${yesterday} song=ghost: 2 -> 0`);
    expect(r.out).toMatch(/fixed 2 user count\(s\), 2 global count\(s\)/);

    for (const d of [today, yesterday]) {
      for (const u of [ann, bob]) expect(positive(await s.counts.userDay(u, d))).toEqual(countsOf(listens, d, u));
      expect(positive(await s.counts.globalDay(d))).toEqual(countsOf(listens, d));
    }
    expect(await new PlayTotalStore(s.db).days([today, yesterday])).toEqual(new Map([today, yesterday].map((d) => [d, listens.filter((l) => dayOf(l.listened_at) === d).length])));
    // nothing left to fix
    const again = await topk(['rebuild', '--keyspace', s.config.keyspace], s.config);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/fixed 0 user count\(s\), 0 global count\(s\)/);
  }, 180_000);
});
