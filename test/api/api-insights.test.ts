/**
 * /v1 insights against the real stack: listens go in through the aggregator's
 * ListenWriter (so the play totals are the ones the aggregator keeps), every
 * answer is compared with a computation from the listens themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenWriter } from '../../engine/aggregator/listen-writer';
import { rebuildCounts } from '../../engine/aggregator/rebuild';
import type { ApiServer } from '../../engine/api/server';
import type { ListenEvent } from '../../engine/shared/listen-event';
import { RankedSets } from '../../engine/shared/ranked-sets';
import { createStore } from '../../engine/shared/store/store';
import { apiServer, DAY_MS, dayStartMs, quietLog, uid, useApiTestClients } from './helpers';

const t = useApiTestClients();
let server: ApiServer;
let writer: ListenWriter;
const now = Date.now();
const alice = uid('alice');
const bob = uid('bob');
const carol = uid('carol');
const dave = uid('dave');
const events: ListenEvent[] = [];

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const daysAgo = (n: number) => day(now - n * DAY_MS);

/** Deterministic listens over the 7 kept days; songs skewed so rankings have ties and movement. */
function makeListens(userId: string, n: number, seed: number, songs = 14): ListenEvent[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: ListenEvent[] = [];
  for (let i = 0; i < n; i++) {
    const ago = Math.floor(rnd() * 7);
    const start = dayStartMs(now, ago);
    const at = start + Math.floor(rnd() * (ago === 0 ? Math.max(1, now - start) : DAY_MS));
    // later days lean to higher song numbers: new songs appear within the window
    const s = Math.min(songs - 1, Math.floor(rnd() * rnd() * songs + (6 - ago)));
    // in the last two days, some plays of songs (and an artist) never heard before
    const fresh = ago <= 1 && rnd() < 0.25;
    const song = fresh ? `n${ago}${Math.floor(rnd() * 3)}` : `s${String(s).padStart(2, '0')}`;
    const artist = fresh ? `Artist new ${ago}` : `Artist ${s % 5}`;
    out.push({ v: 1, user_id: userId, source: 'simulator', listened_at: at, song_id: song, title: `Title ${song}`, artist, published_at: now });
  }
  return out;
}

const auth = () => ({ authorization: `Bearer ${t.config.apiToken}` });
async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await server.app.inject({ url, headers: auth() });
  return { status: res.statusCode, body: res.json() as T };
}

/** Distinct listens (identity) of the given users, as the store keeps them. */
function distinct(users: string[]): ListenEvent[] {
  const seen = new Map<string, ListenEvent>();
  for (const e of events) if (users.includes(e.user_id)) seen.set(`${e.user_id}|${e.source}|${e.listened_at}|${e.song_id}`, e);
  return [...seen.values()];
}
function perDay(list: ListenEvent[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of list) m.set(day(e.listened_at), (m.get(day(e.listened_at)) ?? 0) + 1);
  return m;
}
function ranking(list: ListenEvent[], from: string, to: string, key: (e: ListenEvent) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of list) if (day(e.listened_at) >= from && day(e.listened_at) <= to) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return new Map(sorted.map(([k], i) => [k, i + 1]));
}

beforeAll(async () => {
  writer = new ListenWriter({ store: createStore(t.db), ranked: new RankedSets(t.redis, t.config.keyspace), log: quietLog, retentionDays: t.config.retentionDays, stream: `test/${t.config.listensTopic}` });
  events.push(...makeListens(alice, 400, 7), ...makeListens(bob, 150, 11), ...makeListens(carol, 90, 13), ...makeListens(dave, 60, 17));
  // twice, in two batches: the second is all duplicates and must not count
  await writer.write(events, 0);
  const again = await writer.write(events.slice(0, 100), 0);
  expect(again.counted).toBe(0);
  for (const f of [bob, carol]) await t.db.execute('INSERT INTO user_follows (user_id, followed_id) VALUES (?, ?)', [alice, f], { prepare: true });
  server = await apiServer(t);
}, 120_000);

afterAll(() => server?.close());

interface Activity {
  series: { day: string; mine: number; friends: number; everyone: number }[];
  totals: { mine: number; friends: number; everyone: number };
  friends: number;
}

async function expectActivityExact(users: { all: string[] }): Promise<void> {
  const r = await get<Activity>(`/v1/users/${alice}/activity?cache=bypass`);
  expect(r.status).toBe(200);
  const mine = perDay(distinct([alice]));
  const friends = perDay(distinct([bob, carol]));
  const everyone = perDay(distinct(users.all));
  const want = Array.from({ length: 7 }, (_, i) => daysAgo(6 - i)).map((d) => ({ day: d, mine: mine.get(d) ?? 0, friends: friends.get(d) ?? 0, everyone: everyone.get(d) ?? 0 }));
  expect(r.body.series).toEqual(want);
}

describe('GET /v1/users/{id}/activity', () => {
  it('plays per day of the user, their friends and everyone equal the listens, oldest day first', async () => {
    await expectActivityExact({ all: [alice, bob, carol, dave] });
    const r = await get<Activity>(`/v1/users/${alice}/activity?days=3`);
    expect(r.body.series.map((s) => s.day)).toEqual([daysAgo(2), daysAgo(1), daysAgo(0)]);
    expect(r.body.friends).toBe(2);
    expect(r.body.totals.mine).toBe(r.body.series.reduce((s, x) => s + x.mine, 0));
  });

  it('recovery and rebuild bring tampered totals back to the raw listens', async () => {
    const d = daysAgo(1);
    // a crash after the counter writes, before the intent delete, replayed: the intent names the slice
    await t.db.execute('UPDATE user_day_totals SET plays = plays + 5 WHERE user_id = ? AND day = ?', [alice, d], { prepare: true });
    // the day total of the shard alice's plays were counted in: the Kafka partition of her chunk
    const shardOf = async (u: string) => (await createStore(t.db).counts.shardsOf(u, d))[0]!;
    await t.db.execute('UPDATE day_shard_totals SET plays = plays + 5 WHERE day = ? AND shard = ?', [d, await shardOf(alice)], { prepare: true });
    await t.db.execute('INSERT INTO aggregator_intents_by_stream (stream, kafka_partition, batch_id, user_days, created_at) VALUES (?, ?, now(), ?, ?)', [
      `test/${t.config.listensTopic}`,
      0,
      [`${alice}|${d}`],
      new Date(),
    ], { prepare: true });
    const rec = await writer.recoverPartition(0);
    expect(rec.intents).toBe(1);
    expect(rec.fixes).toBeGreaterThanOrEqual(2);
    await expectActivityExact({ all: [alice, bob, carol, dave] });
    // a lost shard increment: only a full rebuild re-derives day totals from the users' totals
    await t.db.execute('UPDATE day_shard_totals SET plays = plays - 3 WHERE day = ? AND shard = ?', [d, await shardOf(bob)], { prepare: true });
    const full = await rebuildCounts(createStore(t.db), { days: t.config.retentionDays });
    expect(full.totalFixes).toBe(1);
    await expectActivityExact({ all: [alice, bob, carol, dave] });
  }, 60_000);

  it('400 names the field of a bad window', async () => {
    const r = await get<{ error: { field: string } }>(`/v1/users/${alice}/activity?days=99`);
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('days');
  });
});

describe('GET /v1/users/{id}/heatmap', () => {
  it('counts listens by weekday and hour in the viewer time zone', async () => {
    for (const [tz, offsetMs] of [['UTC', 0], ['Asia/Kolkata', 5.5 * 3600_000]] as const) {
      const r = await get<{ cells: number[][]; total: number; max: number; tz: string }>(`/v1/users/${alice}/heatmap?tz=${encodeURIComponent(tz)}`);
      expect(r.status).toBe(200);
      const want = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
      for (const e of distinct([alice])) {
        const t = new Date(e.listened_at + offsetMs);
        want[(t.getUTCDay() + 6) % 7]![t.getUTCHours()]!++;
      }
      expect(r.body.cells).toEqual(want);
      expect(r.body.total).toBe(distinct([alice]).length);
      expect(r.body.max).toBe(Math.max(...want.flat()));
    }
  });

  it('400 for an unknown time zone', async () => {
    const r = await get<{ error: { field: string } }>(`/v1/users/${alice}/heatmap?tz=Mars%2FOlympus`);
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('tz');
  });
});

describe('movement', () => {
  interface Row { song_id?: string; artist?: string; rank: number; previous_rank: number | null; change: string | null; delta: number | null }
  interface Mv { covered: boolean; previous: { from: string; to: string } | null; reason?: string; results: Row[] }

  it('each row moves against the previous window of the same length, as ranked from the listens', async () => {
    const cases = [
      { url: `/v1/users/${alice}/top/tracks/movement?days=3&limit=50`, users: [alice], key: (e: ListenEvent) => e.song_id, rowKey: (r: Row) => r.song_id! },
      { url: `/v1/users/${alice}/top/artists/movement?days=2&limit=50`, users: [alice], key: (e: ListenEvent) => e.artist, rowKey: (r: Row) => r.artist! },
      { url: `/v1/top/tracks/movement?days=3&limit=50`, users: [alice, bob, carol, dave], key: (e: ListenEvent) => e.song_id, rowKey: (r: Row) => r.song_id! },
      { url: `/v1/users/${alice}/friends/top/tracks/movement?days=3&limit=50`, users: [bob, carol], key: (e: ListenEvent) => e.song_id, rowKey: (r: Row) => r.song_id! },
    ];
    for (const c of cases) {
      const r = await get<Mv>(c.url);
      expect(r.status, c.url).toBe(200);
      const n = Number(/days=(\d)/.exec(c.url)![1]);
      const cur = ranking(distinct(c.users), daysAgo(n - 1), daysAgo(0), c.key);
      const prev = ranking(distinct(c.users), daysAgo(2 * n - 1), daysAgo(n), c.key);
      expect(r.body.covered).toBe(true);
      expect(r.body.previous).toEqual({ from: daysAgo(2 * n - 1), to: daysAgo(n), total: prev.size });
      expect(r.body.results.length).toBe(Math.min(50, cur.size));
      let kinds = new Set<string>();
      for (const row of r.body.results) {
        const k = c.rowKey(row);
        expect(row.rank).toBe(cur.get(k));
        const p = prev.get(k) ?? null;
        const want = p === null ? { previous_rank: null, change: 'new', delta: null } : { previous_rank: p, change: p > row.rank ? 'up' : p < row.rank ? 'down' : 'same', delta: p - row.rank };
        expect({ previous_rank: row.previous_rank, change: row.change, delta: row.delta }, `${c.url} ${k}`).toEqual(want);
        kinds = kinds.add(row.change!);
      }
      if (c.users.length === 1 && n === 3) expect([...kinds].sort()).toEqual(expect.arrayContaining(['down', 'new', 'up']));
    }
  });

  it('says so when retention does not cover the previous window', async () => {
    const r = await get<Mv>(`/v1/users/${alice}/top/tracks/movement?days=4`);
    expect(r.body.covered).toBe(false);
    expect(r.body.previous).toBeNull();
    expect(r.body.reason).toContain('7-day retention');
    expect(r.body.results.every((x) => x.change === null && x.previous_rank === null)).toBe(true);
  });
});

describe('GET /v1/users/{id}/discoveries', () => {
  it('tracks and artists first played within the window, among the kept days', async () => {
    for (const n of [1, 2, 7]) {
      const r = await get<{ known_from: string; tracks: { song_id: string; first_day: string; listen_count: number }[]; artists: { artist: string; first_day: string; listen_count: number }[]; total_tracks: number }>(
        `/v1/users/${alice}/discoveries?days=${n}&limit=1000`,
      );
      expect(r.status).toBe(200);
      expect(r.body.known_from).toBe(daysAgo(6));
      const mine = distinct([alice]);
      for (const [key, rows] of [
        [(e: ListenEvent) => e.song_id, r.body.tracks.map((t) => ({ key: t.song_id, first_day: t.first_day, listen_count: t.listen_count }))],
        [(e: ListenEvent) => e.artist, r.body.artists.map((t) => ({ key: t.artist, first_day: t.first_day, listen_count: t.listen_count }))],
      ] as const) {
        const first = new Map<string, string>();
        const plays = new Map<string, number>();
        for (const e of mine) {
          const k = key(e);
          if (!first.has(k) || day(e.listened_at) < first.get(k)!) first.set(k, day(e.listened_at));
          if (day(e.listened_at) >= daysAgo(n - 1)) plays.set(k, (plays.get(k) ?? 0) + 1);
        }
        const want = [...first].filter(([, f]) => f >= daysAgo(n - 1)).map(([k, f]) => ({ key: k, first_day: f, listen_count: plays.get(k)! }));
        want.sort((a, b) => b.listen_count - a.listen_count || (a.first_day < b.first_day ? -1 : a.first_day > b.first_day ? 1 : 0) || (a.key < b.key ? -1 : 1));
        expect(rows).toEqual(want);
        if (n === 7) expect(rows.length).toBe(first.size);
      }
      if (n === 2) expect(r.body.total_tracks).toBeGreaterThanOrEqual(4);
      if (n === 2) expect(r.body.artists.map((a) => a.artist)).toContain('Artist new 1');
    }
  });
});

describe('GDPR delete', () => {
  it("takes the user's plays out of everyone's totals", async () => {
    const res = await server.app.inject({ method: 'DELETE', url: `/v1/users/${dave}`, headers: auth() });
    expect(res.statusCode).toBe(202);
    await expectActivityExact({ all: [alice, bob, carol] });
    const rs = await t.db.execute('SELECT COUNT(*) AS n FROM user_day_totals WHERE user_id = ?', [dave], { prepare: true });
    expect(Number(rs.first().get('n'))).toBe(0);
  }, 60_000);
});
