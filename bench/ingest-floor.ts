/**
 * The floor of `topk bench ingest`: what this Cassandra can take of the same
 * listens when nothing but the writes they need is done — the distinct listens
 * inserted raw in unlogged batches of one (user, day) partition each, then the
 * counter updates they need (per (user, day, song), per (day, song) and the
 * play totals), pre-aggregated and batched per partition. No Kafka, no dedupe
 * read, no intent, no index rows. Our end-to-end rate is reported as a share
 * of this rate, measured in the same run on the same machine.
 */
import { DAY_MS, utcDay } from '../engine/shared/listen-identity';
import type { SlicePlays } from '../engine/shared/store/counts';
import type { ListenSlice, NewListen } from '../engine/shared/store/listens';
import { createStore } from '../engine/shared/store/store';
import type { CassandraClient } from '../engine/shared/cassandra';
import { round } from './bench-env';
import { sampleThreads, threadProfile } from './cassandra-profile';
import type { ThreadProfile } from './cassandra-profile';
import { measureCpu, stackPids, withoutSampling } from './cpu';
import type { CpuRole, StackPorts } from './cpu';
import type { Workload } from './workload';

/** Statements in flight at once, as the hand-written floor script had. */
export const FLOOR_CONCURRENCY = 32;

export interface FloorResult {
  /** raw listen rows written (the workload's distinct listens) */
  listens: number;
  /** (user, day) partitions of those rows */
  slices: number;
  /** counter statements: per (user, day, song), per (day, song), per (user, day) total, per (day, shard) total */
  counter_updates: number;
  raw_seconds: number;
  counter_seconds: number;
  seconds: number;
  listens_per_second: number;
  /** CPU seconds of the run: "engine" is the benchmark's own driver, the rest the stack */
  cpu_seconds: Partial<Record<CpuRole, number>>;
  /** the local Cassandra's CPU per thread pool and listen, as `ours.cassandra_profile.threads`: set side by side, they show which stage our path adds to */
  cassandra_threads?: ThreadProfile[];
}

/** The workload's distinct listens grouped by (user, day), user ids `${userPrefix}${index}`. */
export function workloadSlices(w: Workload, userPrefix: string): ListenSlice[] {
  const byKey = new Map<string, ListenSlice>();
  for (let i = 0; i < w.listens; i++) {
    const user = `${userPrefix}${w.user[i]}`;
    const at = w.at[i]!;
    const day = utcDay(at);
    const key = `${user}\u0001${day}`;
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { user, day, listens: [] }));
    const t = w.tracks[w.song[i]!]!;
    const l: NewListen = { user_id: user, source: 'simulator', listened_at: at, song_id: t.song_id, title: t.title, artist: t.artist, album: t.album };
    s.listens.push(l);
  }
  return [...byKey.values()];
}

/** Plays per song of each slice: the counter increments the listens need. */
export function slicePlays(slices: ListenSlice[]): SlicePlays[] {
  return slices.map((s) => {
    const plays = new Map<string, number>();
    for (const l of s.listens) plays.set(l.song_id, (plays.get(l.song_id) ?? 0) + 1);
    return { user: s.user, day: s.day, plays };
  });
}

/** How many counter statements one CountStore.increment call (one Kafka partition's shard) sends for these plays. */
export function counterUpdates(plays: SlicePlays[]): number {
  const global = new Set<string>();
  const days = new Set<string>();
  let n = 0;
  for (const p of plays) {
    n += p.plays.size + 1;
    for (const song of p.plays.keys()) global.add(`${p.day}\u0001${song}`);
    days.add(p.day);
  }
  return n + global.size + days.size;
}

/**
 * Our end-to-end rate as a share of the floor's (3 decimals); null when the
 * floor measured nothing.
 */
export function floorRatio(endToEndPerSecond: number, floor: Pick<FloorResult, 'listens_per_second'> | null): number | null {
  if (!floor || !(floor.listens_per_second > 0)) return null;
  return round(endToEndPerSecond / floor.listens_per_second, 3);
}

/** Write the workload's listens and their counters the plainest way, timed. */
export async function runFloor(db: CassandraClient, w: Workload, userPrefix: string, retentionDays: number, ports: StackPorts): Promise<FloorResult> {
  const store = createStore(db);
  const slices = workloadSlices(w, userPrefix);
  const plays = slicePlays(slices);
  const updates = counterUpdates(plays);
  const now = Date.now();
  const retentionMs = retentionDays * DAY_MS;
  const cpu = measureCpu(process.pid, ports);
  const cassandra = stackPids(ports).get('cassandra');
  const threads = cassandra?.length === 1 ? sampleThreads(cassandra[0]!) : undefined;
  const t0 = performance.now();
  await store.listens.write(slices, (at) => Math.max(1, Math.ceil((at + retentionMs - now) / 1000)), FLOOR_CONCURRENCY);
  const t1 = performance.now();
  await store.counts.increment(plays, FLOOR_CONCURRENCY, 0);
  const t2 = performance.now();
  const pools = threads?.stop();
  const cpuSeconds = withoutSampling(cpu.stop(), 'engine', threads?.ownCpuSeconds());
  const seconds = (t2 - t0) / 1000;
  return {
    listens: w.listens,
    slices: slices.length,
    counter_updates: updates,
    raw_seconds: round((t1 - t0) / 1000, 2),
    counter_seconds: round((t2 - t1) / 1000, 2),
    seconds: round(seconds, 2),
    listens_per_second: Math.round(w.listens / seconds),
    cpu_seconds: cpuSeconds,
    ...(pools ? { cassandra_threads: threadProfile(pools, w.listens) } : {}),
  };
}
