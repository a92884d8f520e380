/**
 * What `topk bench query --scope user|friends|global` asks for, and the
 * answers it must get. Each scope seeds its counters, names the paths the
 * load cycles through, and knows the exact top k of every path from a full
 * ranking computed by the benchmark itself (user and friends: from the
 * generator that wrote the counters; global: every counter of the window
 * read back and ranked), so each run checks the API's answers against it.
 */
import cassandra from 'cassandra-driver';
import type { CassandraClient } from '../engine/shared/cassandra';
import { mapLimit } from '../engine/shared/concurrency';
import { catalogue, hash32, mulberry32 } from '../engine/crawler/sources/simulator-catalogue';
import { lastDays } from '../engine/shared/listen-identity';
import { GLOBAL_SCOPE } from '../engine/shared/ranked-sets';
import type { RankedSets } from '../engine/shared/ranked-sets';
import { CountStore } from '../engine/shared/store/counts';

export type QueryScope = 'user' | 'friends' | 'global';
export const QUERY_SCOPES: readonly QueryScope[] = ['user', 'friends', 'global'];

export const QUERY_DAYS = 7;
export const QUERY_K = 10;

export interface Ranked {
  song_id: string;
  listen_count: number;
}

export interface ScopeSetup {
  /** request paths (with their query) the load cycles through */
  paths: string[];
  /** the exact top QUERY_K of each path: the full ranking's head */
  expected: Map<string, Ranked[]>;
  /** counters written (for the log) */
  counters: number;
  cleanup(): Promise<void>;
}

export interface ScopeOptions {
  scope: QueryScope;
  prefix: string;
  users: number;
  tracksPerDay: number;
  friends: number;
  say: (line: string) => void;
  /** the API's ranked sets: counters written past the aggregator make theirs stale, so they are dropped */
  ranked: RankedSets;
}

/** Global cells go to the shards of a 6-partition topic, as the aggregator spreads them. */
const GLOBAL_SHARDS = 6;

/** Count descending, ties by song_id ascending (code-unit order), positive counts only: the contract's order. */
export function fullRanking(counts: Map<string, number>): Ranked[] {
  const list = [...counts].filter(([, n]) => n > 0).map(([song_id, listen_count]) => ({ song_id, listen_count }));
  list.sort((a, b) => b.listen_count - a.listen_count || (a.song_id < b.song_id ? -1 : a.song_id > b.song_id ? 1 : 0));
  return list;
}

/** The (song, plays) cells of one user-day: a random window of the catalogue, counts 1..~40 (Zipf-like, many ties). */
export function userDayCells(user: string, day: string, tracksPerDay: number): Array<[string, number]> {
  const cat = catalogue();
  const r = mulberry32(hash32('bench-query', user, day));
  const start = Math.floor(r() * cat.tracks.length);
  const per = Math.min(tracksPerDay, cat.tracks.length);
  const cells: Array<[string, number]> = [];
  for (let j = 0; j < per; j++) cells.push([cat.tracks[(start + j) % cat.tracks.length]!.song_id, 1 + Math.floor(40 / (1 + j * r() * 0.05))]);
  return cells;
}

/** The (song, plays) cells of one global day: `tracksPerDay` songs of a universe twice that size, counts with a long tail of ties. */
export function globalDayCells(day: string, tracksPerDay: number): Array<[string, number]> {
  const r = mulberry32(hash32('bench-query-global', day));
  const universe = tracksPerDay * 2;
  const start = Math.floor(r() * universe);
  const cells: Array<[string, number]> = [];
  for (let j = 0; j < tracksPerDay; j++) {
    const n = (start + j) % universe;
    cells.push([`bench-g-${String(n).padStart(7, '0')}`, 1 + Math.floor(2000 / (1 + ((j * 7919) % tracksPerDay) * r() * 0.5))]);
  }
  return cells;
}

const upd = (table: 'daily_counts', user: string, day: string, song: string, plays: number) => ({
  query: `UPDATE ${table} SET plays = plays + ? WHERE user_id = ? AND day = ? AND song_id = ?`,
  params: [cassandra.types.Long.fromNumber(plays), user, day, song],
});

/** Counter batches of one partition, 100 statements each (unlogged: one partition, one mutation). */
async function writeBatches(db: CassandraClient, queries: Array<{ query: string; params: unknown[] }>): Promise<void> {
  for (let i = 0; i < queries.length; i += 100) await db.batch(queries.slice(i, i + 100), { prepare: true, counter: true, logged: false });
}

async function seedTrackMeta(db: CassandraClient): Promise<void> {
  await mapLimit(catalogue().tracks, 64, (t) =>
    db.execute('INSERT INTO tracks (song_id, title, artist, album) VALUES (?, ?, ?, ?)', [t.song_id, t.title, t.artist, t.album], { prepare: true }),
  );
}

/** Users `prefix0..` with their user-day counters on each of the last QUERY_DAYS days; returns the users' summed counts. */
async function seedUserCounters(db: CassandraClient, o: ScopeOptions): Promise<{ ids: string[]; counts: Map<string, Map<string, number>>; cells: number }> {
  await seedTrackMeta(db);
  const days = lastDays(QUERY_DAYS);
  const ids = Array.from({ length: o.users }, (_, i) => `${o.prefix}${i}`);
  const counts = new Map<string, Map<string, number>>(ids.map((u) => [u, new Map()]));
  const jobs = ids.flatMap((u) => days.map((d) => [u, d] as const));
  const t0 = performance.now();
  let done = 0;
  let cells = 0;
  await mapLimit(jobs, 16, async ([u, d]) => {
    const dayCells = userDayCells(u, d, o.tracksPerDay);
    const mine = counts.get(u)!;
    for (const [s, n] of dayCells) mine.set(s, (mine.get(s) ?? 0) + n);
    cells += dayCells.length;
    await writeBatches(db, dayCells.map(([s, n]) => upd('daily_counts', u, d, s, n)));
    await db.execute('INSERT INTO user_days (user_id, day) VALUES (?, ?)', [u, d], { prepare: true });
    if (++done % 100 === 0) o.say(`seeded ${done}/${jobs.length} user-days (${Math.round(cells / ((performance.now() - t0) / 1000))} counters/s)`);
  });
  return { ids, counts, cells };
}

async function unseedUsers(db: CassandraClient, users: string[]): Promise<void> {
  const days = lastDays(QUERY_DAYS);
  await mapLimit(users, 16, async (u) => {
    for (const d of days) await db.execute('DELETE FROM daily_counts WHERE user_id = ? AND day = ?', [u, d], { prepare: true });
    await db.execute('DELETE FROM user_days WHERE user_id = ?', [u], { prepare: true });
    await db.execute('DELETE FROM user_follows WHERE user_id = ?', [u], { prepare: true });
  });
}

const head = (counts: Map<string, number>): Ranked[] => fullRanking(counts).slice(0, QUERY_K);

function sumInto(into: Map<string, number>, from: Map<string, number>): void {
  for (const [s, n] of from) into.set(s, (into.get(s) ?? 0) + n);
}

/** Seed the scope's data and name its paths and expected answers. */
export async function setupScope(db: CassandraClient, o: ScopeOptions): Promise<ScopeSetup> {
  if (o.scope === 'global') return setupGlobal(db, o);
  const { ids, counts, cells } = await seedUserCounters(db, o);
  if (o.scope === 'user') {
    const paths = ids.map((u) => `/users/${encodeURIComponent(u)}/topk?days=${QUERY_DAYS}&k=${QUERY_K}`);
    return { paths, expected: new Map(paths.map((p, i) => [p, head(counts.get(ids[i]!)!)])), counters: cells, cleanup: () => unseedUsers(db, ids) };
  }
  // friends: viewer i follows o.friends of the seeded users, starting at user i
  const viewers = ids.map((_, i) => `${o.prefix}v${i}`);
  const expected = new Map<string, Ranked[]>();
  const paths: string[] = [];
  await mapLimit(viewers, 8, async (v, i) => {
    const followed = Array.from({ length: Math.min(o.friends, ids.length) }, (_, j) => ids[(i + j) % ids.length]!);
    await db.batch(
      followed.map((f) => ({ query: 'INSERT INTO user_follows (user_id, followed_id) VALUES (?, ?)', params: [v, f] })),
      { prepare: true, logged: false },
    );
    const sum = new Map<string, number>();
    for (const f of followed) sumInto(sum, counts.get(f)!);
    const path = `/v1/users/${encodeURIComponent(v)}/friends/top/tracks?days=${QUERY_DAYS}&limit=${QUERY_K}`;
    paths[i] = path;
    expected.set(path, head(sum));
  });
  return { paths, expected, counters: cells, cleanup: () => unseedUsers(db, [...ids, ...viewers]) };
}

/**
 * The global chart: `tracksPerDay` songs on each of the last QUERY_DAYS days added to
 * the keyspace's global counters (counters cannot be reset reliably once
 * deleted, so a rerun adds to the same cells), then every counter of the
 * window read back and ranked: the reference is the full ranking of what is there.
 */
async function setupGlobal(db: CassandraClient, o: ScopeOptions): Promise<ScopeSetup> {
  const days = lastDays(QUERY_DAYS);
  const t0 = performance.now();
  let written = 0;
  for (const d of days) {
    const cells = globalDayCells(d, o.tracksPerDay);
    const batches: Array<{ shard: number; cells: Array<[string, number]> }> = [];
    for (let shard = 0; shard < GLOBAL_SHARDS; shard++) {
      const mine = cells.filter((_, j) => j % GLOBAL_SHARDS === shard);
      for (let i = 0; i < mine.length; i += 100) batches.push({ shard, cells: mine.slice(i, i + 100) });
      await db.execute('INSERT INTO day_shards (day, shard) VALUES (?, ?)', [d, shard], { prepare: true });
    }
    await mapLimit(batches, 16, (b) =>
      db.batch(
        b.cells.map(([s, n]) => ({
          query: 'UPDATE global_shard_counts SET plays = plays + ? WHERE day = ? AND shard = ? AND song_id = ?',
          params: [cassandra.types.Long.fromNumber(n), d, b.shard, s],
        })),
        { prepare: true, counter: true, logged: false },
      ),
    );
    written += cells.length;
    o.say(`global chart: ${written} counters written (${Math.round(written / ((performance.now() - t0) / 1000))}/s)`);
  }
  await o.ranked.drop(days.map((day) => ({ scope: GLOBAL_SCOPE, day })));
  const counts = await readGlobalCounts(db, days);
  const path = `/v1/top/tracks?days=${QUERY_DAYS}&limit=${QUERY_K}`;
  o.say(`global chart: ${counts.size} distinct songs over ${days.length} days`);
  return { paths: [path], expected: new Map([[path, head(counts)]]), counters: written, cleanup: async () => undefined };
}

async function readGlobalCounts(db: CassandraClient, days: string[]): Promise<Map<string, number>> {
  const store = new CountStore(db);
  const counts = new Map<string, number>();
  for (const d of days) for (const [s, n] of await store.globalDay(d)) counts.set(s, (counts.get(s) ?? 0) + n);
  return counts;
}

/** One answer of a path compared with its expected top k: a list of differences (empty when exact). */
export function compareAnswer(path: string, got: unknown, want: Ranked[]): string[] {
  const results = (got as { results?: Array<{ song_id?: unknown; listen_count?: unknown; rank?: unknown }> }).results;
  if (!Array.isArray(results)) return [`${path}: no results array`];
  const diffs: string[] = [];
  if (results.length !== want.length) diffs.push(`${path}: ${results.length} results, expected ${want.length}`);
  want.forEach((w, i) => {
    const g = results[i];
    if (!g || g.song_id !== w.song_id || g.listen_count !== w.listen_count || g.rank !== i + 1) {
      diffs.push(`${path}: rank ${i + 1} is ${JSON.stringify(g ? { song_id: g.song_id, listen_count: g.listen_count, rank: g.rank } : null)}, expected ${JSON.stringify(w)}`);
    }
  });
  return diffs;
}

/** Ask every path (at most `max`) once, with `extraQuery` (e.g. `&cache=bypass`), and compare with the full ranking. */
export async function checkAnswers(url: string, token: string, setup: ScopeSetup, extraQuery: string, max = 50): Promise<{ checked: number; exact: number; differences: string[] }> {
  const paths = setup.paths.slice(0, max);
  const diffs = await mapLimit(paths, 4, async (p) => {
    const res = await fetch(`${url}${p}${extraQuery}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) return [`${p}: HTTP ${res.status}`];
    return compareAnswer(p, await res.json(), setup.expected.get(p) ?? []);
  });
  return { checked: paths.length, exact: diffs.filter((d) => d.length === 0).length, differences: diffs.flat() };
}
