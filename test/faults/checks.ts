/**
 * What every fault case measures: the independent expected counts (deduped by
 * identity), the stored counters (including ≤ 0 rows), listens lost / double
 * counted, consumer progress, and the results table for RELIABILITY.md.
 */
import { CountStore } from '../../engine/shared/store/counts';
import { IntentStore } from '../../engine/shared/store/intents';
import { PlayTotalStore } from '../../engine/shared/store/play-totals';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Config } from '../../engine/shared/config';
import { until } from '../helpers/until';
import type { Counts } from '../helpers/expected-counts';

export { expectedCounts } from '../helpers/expected-counts';
export type { Counts, Identity } from '../helpers/expected-counts';

export function total(c: Counts): number {
  let n = 0;
  for (const days of c.values()) for (const songs of days.values()) for (const v of songs.values()) n += v;
  return n;
}

/** Every counter row of the user (all days it has), ≤ 0 rows included. */
export async function storedUserCounts(db: CassandraClient, userId: string, days: string[]): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  await Promise.all(
    days.map(async (day) => {
      const m = new Map<string, number>();
      const rows = db.stream('SELECT song_id, plays FROM daily_counts WHERE user_id = ? AND day = ?', [userId, day], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<{
        song_id: string;
        plays: unknown;
      }>;
      for await (const r of rows) m.set(r.song_id, Number(String(r.plays)));
      if (m.size) out.set(day, m);
    }),
  );
  return out;
}

export interface Diff {
  expected: number;
  stored: number;
  lost: number;
  double: number;
  /** first few differing cells, for the failure message */
  samples: string[];
}

/** Adds every cell of `want` and `have` to `d`; a differing cell is sampled as `<label><cell>: expected a, stored b`. */
function addCells(d: Diff, want: Map<string, number>, have: Map<string, number>, label: string): void {
  for (const k of new Set([...want.keys(), ...have.keys()])) {
    const a = want.get(k) ?? 0;
    const b = have.get(k) ?? 0;
    d.expected += a;
    d.stored += b;
    if (a > b) d.lost += a - b;
    if (b > a) d.double += b - a;
    if (a !== b && d.samples.length < 5) d.samples.push(`${label}${k}: expected ${a}, stored ${b}`);
  }
}

/** Compares expected vs stored for the given users over `days` (every (user, day, song) cell). */
export async function compareCounts(db: CassandraClient, expected: Counts, users: string[], days: string[]): Promise<Diff> {
  const d: Diff = { expected: 0, stored: 0, lost: 0, double: 0, samples: [] };
  for (let i = 0; i < users.length; i += 8) {
    await Promise.all(
      users.slice(i, i + 8).map(async (u) => {
        const stored = await storedUserCounts(db, u, days);
        const want = expected.get(u) ?? new Map<string, Map<string, number>>();
        for (const day of days) {
          const w = want.get(day) ?? new Map<string, number>();
          const s = stored.get(day) ?? new Map<string, number>();
          addCells(d, w, s, `${u} ${day} `);
        }
      }),
    );
  }
  return d;
}

/**
 * Global counters of `days` vs the sum of the expected per-user counts; `onlyExpectedSongs` compares
 * only the (day, song) cells the expectation names (other writers' songs left out).
 */
export async function compareGlobal(db: CassandraClient, expected: Counts, days: string[], onlyExpectedSongs = false): Promise<Diff> {
  const want = new Map<string, number>();
  for (const ds of expected.values()) {
    for (const [day, songs] of ds) for (const [s, n] of songs) want.set(`${day} ${s}`, (want.get(`${day} ${s}`) ?? 0) + n);
  }
  const have = new Map<string, number>();
  for (const day of days) {
    // the day's global count of a song: the sum of its shards (cql/0004)
    for (const [song, n] of await new CountStore(db).globalDay(day)) if (!onlyExpectedSongs || want.has(`${day} ${song}`)) have.set(`${day} ${song}`, n);
  }
  const d: Diff = { expected: 0, stored: 0, lost: 0, double: 0, samples: [] };
  addCells(d, want, have, 'global ');
  return d;
}

/**
 * Play totals (cql/0005) vs the expected plays: every (user, day) of user_day_totals and every day's
 * total (the sum of its day_shard_totals shards) over `days`.
 */
export async function comparePlayTotals(db: CassandraClient, expected: Counts, users: string[], days: string[]): Promise<Diff> {
  const want = new Map<string, number>();
  for (const [u, ds] of expected) {
    for (const [day, songs] of ds) {
      let n = 0;
      for (const v of songs.values()) n += v;
      want.set(`${u} ${day}`, n);
      want.set(`day ${day}`, (want.get(`day ${day}`) ?? 0) + n);
    }
  }
  const totals = new PlayTotalStore(db);
  const have = new Map<string, number>();
  for (const u of users) for (const [day, n] of await totals.userDays(u, days)) have.set(`${u} ${day}`, n);
  for (const [day, n] of await totals.days(days)) have.set(`day ${day}`, n);
  const d: Diff = { expected: 0, stored: 0, lost: 0, double: 0, samples: [] };
  addCells(d, want, have, 'totals ');
  return d;
}

/** Intents of a consumer stream still in aggregator_intents_by_stream, and how many of them a recovery kept (cql/0009). */
export async function leftIntents(db: CassandraClient, stream: string, partitions: number): Promise<{ pending: number; kept: number }> {
  const out = { pending: 0, kept: 0 };
  for (let p = 0; p < partitions; p++) {
    for (const i of await new IntentStore(db).pending(stream, p)) {
      out.pending++;
      if (i.recoveredAt) out.kept++;
    }
  }
  return out;
}

/** (user, day) pairs with expected plays but no day_users row (global recovery sums day_users), with their plays. */
export async function missingDayUsers(db: CassandraClient, expected: Counts): Promise<{ pairs: number; plays: number; samples: string[] }> {
  const byDay = new Map<string, Map<string, number>>();
  for (const [u, ds] of expected) {
    for (const [day, songs] of ds) {
      let m = byDay.get(day);
      if (!m) byDay.set(day, (m = new Map()));
      let n = 0;
      for (const v of songs.values()) n += v;
      m.set(u, n);
    }
  }
  const out = { pairs: 0, plays: 0, samples: [] as string[] };
  for (const [day, users] of byDay) {
    const have = new Set<string>();
    const rows = db.stream('SELECT user_id FROM day_users WHERE day = ?', [day], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<{ user_id: string }>;
    for await (const r of rows) have.add(r.user_id);
    for (const [u, n] of users) {
      if (have.has(u)) continue;
      out.pairs++;
      out.plays += n;
      if (out.samples.length < 5) out.samples.push(`${u} ${day}: ${n}`);
    }
  }
  return out;
}

/** Sum of the group's committed offsets on the topic, and its lag; undefined while Kafka does not answer. */
export async function groupProgress(kafka: Kafka, config: Pick<Config, 'listensTopic' | 'consumerGroup'>): Promise<{ committed: number; lag: number; end: number } | undefined> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(config.listensTopic);
    const [c] = await admin.fetchOffsets({ groupId: config.consumerGroup, topics: [config.listensTopic] });
    let committed = 0;
    let lag = 0;
    let end = 0;
    for (const e of ends) {
      const p = c?.partitions.find((x) => x.partition === e.partition);
      const at = p && Number(p.offset) >= 0 ? Number(p.offset) : Number(e.low);
      committed += at;
      end += Number(e.high);
      lag += Number(e.high) - at;
    }
    return { committed, lag, end };
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Waits until the group is behind (listens published and not yet committed) and returns its progress then: the moment a fault lands on outstanding work. */
export function groupBehind(kafka: Kafka, config: Pick<Config, 'listensTopic' | 'consumerGroup'>): Promise<{ committed: number; lag: number; end: number }> {
  return waitUntil('listens published and not yet committed', async () => {
    const p = await groupProgress(kafka, config);
    return p !== undefined && p.lag > 0 ? p : undefined;
  }, 300_000, 50);
}

/** Messages in a topic (sum of high − low); undefined when the topic does not exist. */
export async function topicSize(kafka: Kafka, topic: string): Promise<number | undefined> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((a, o) => a + Number(o.high) - Number(o.low), 0);
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** `until` with the fault suite's default pace (1 s). */
export const waitUntil = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 1000): Promise<T> =>
  until(what, fn, timeoutMs, everyMs);

export interface CaseResult {
  case: string;
  listens: number;
  lost: number;
  double: number;
  /** seconds from each fault to renewed progress */
  recoverySeconds: number[];
  /** seconds for the whole case (ingest with faults, until lag 0) */
  totalSeconds: number;
  notes: string;
}

export function formatTable(rows: CaseResult[]): string {
  const head = '| Fault | Listens ingested | Lost | Double counted | Time to recover (s) | Case total (s) | Notes |';
  const sep = '|---|---:|---:|---:|---|---:|---|';
  const fmt = (r: CaseResult) => {
    const rec = r.recoverySeconds.length ? r.recoverySeconds.map((s) => s.toFixed(1)).join(', ') : '–';
    return `| ${r.case} | ${r.listens.toLocaleString('en-US')} | ${r.lost} | ${r.double} | ${rec} | ${r.totalSeconds.toFixed(0)} | ${r.notes} |`;
  };
  return [head, sep, ...rows.map(fmt)].join('\n');
}

/** Appends a result to the JSON results file (one run's rows). */
export function recordResult(file: string, r: CaseResult): void {
  mkdirSync(dirname(file), { recursive: true });
  const rows: CaseResult[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CaseResult[]) : [];
  rows.push(r);
  writeFileSync(file, JSON.stringify(rows, null, 2) + '\n');
  appendFileSync(file.replace(/\.json$/, '.log'), `${new Date().toISOString()} ${JSON.stringify(r)}\n`);
}

/** Where a case injects its faults: fractions of its planned listens (ingested, or crawled for the crawler cases). */
export const PROGRESS_POINTS = [0.15, 0.4, 0.65, 0.9] as const;

/** One injected fault: how far the case had come, and the work it found not yet done. */
export interface FaultMark {
  fault: string;
  /** fraction of the case's planned listens done when the fault was injected */
  progress: number;
  /** work the fault found unfinished, e.g. listens published but not committed */
  outstanding: number;
  /** what `outstanding` counts */
  unit: string;
}

/**
 * The check every case makes: as many faults as planned were injected, and each one found
 * outstanding work (a fault that lands after everything was committed tests nothing).
 * Returns what is wrong, empty when nothing is.
 */
export function faultsThatTestedNothing(marks: FaultMark[], planned: number): string[] {
  const out: string[] = [];
  if (marks.length !== planned) out.push(`${marks.length} of ${planned} planned faults were injected`);
  for (const m of marks) if (!(m.outstanding > 0)) out.push(`${m.fault} at ${pct(m.progress)} found no ${m.unit}`);
  return out;
}

export function formatMarks(marks: FaultMark[]): string {
  return marks.map((m) => `${m.fault} at ${pct(m.progress)}: ${m.outstanding.toLocaleString('en-US')} ${m.unit}`).join('; ');
}

const pct = (f: number): string => `${(f * 100).toFixed(0)} %`;

/** Waits until `measure()` has done `target` units of work (`done` reads them off a measurement), and returns that measurement. */
export async function progressReached<T>(what: string, measure: () => Promise<T | undefined>, done: (t: T) => number, target: number, timeoutMs = 600_000, everyMs = 200): Promise<T> {
  return waitUntil(`${what} to reach ${Math.ceil(target)}`, async () => {
    const v = await measure();
    return v !== undefined && done(v) >= target ? v : undefined;
  }, timeoutMs, everyMs);
}
