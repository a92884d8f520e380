/**
 * Where Cassandra's work per listen goes during a benchmark window, without
 * nodetool: the local writes and reads per table of the run's keyspace
 * (`system_views.local_write_latency` / `local_read_latency`: one write is one
 * mutation of one partition — a single-partition batch counts once) and the
 * Cassandra process's CPU per thread pool (`/proc/<pid>/task/*`, sampled: a
 * shared-pool worker names itself after the stage it works for).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { CassandraClient } from '../engine/shared/cassandra';

const TICKS_PER_SECOND = 100;
const SAMPLE_MS = 100;

/** Local writes and reads per table since the node started. */
export type TableOps = Map<string, { writes: number; reads: number }>;

export interface TableProfile {
  table: string;
  writes: number;
  reads: number;
  writes_per_listen: number;
  reads_per_listen: number;
}

export interface ThreadProfile {
  /** the thread's pool: its name without the worker number (`MutationStage`, `Native-Transpor`, …) */
  pool: string;
  cpu_seconds: number;
  cpu_us_per_listen: number;
}

export interface CassandraProfile {
  tables: TableProfile[];
  threads: ThreadProfile[];
}

/** The keyspace's per-table counters of local writes and reads. */
export async function readTableOps(db: CassandraClient, keyspace: string): Promise<TableOps> {
  const out: TableOps = new Map();
  for (const [view, field] of [
    ['local_write_latency', 'writes'],
    ['local_read_latency', 'reads'],
  ] as const) {
    const rs = await db.execute(`SELECT table_name, count FROM system_views.${view} WHERE keyspace_name = ?`, [keyspace], { prepare: false });
    for (const r of rs.rows) {
      const t = String(r.get('table_name'));
      const e = out.get(t) ?? { writes: 0, reads: 0 };
      e[field] = Number(String(r.get('count')));
      out.set(t, e);
    }
  }
  return out;
}

/** The tables that changed between two snapshots, per listen, busiest first. */
export function tableProfile(before: TableOps, after: TableOps, listens: number): TableProfile[] {
  const per = (n: number): number => Math.round((n / Math.max(1, listens)) * 1000) / 1000;
  const out: TableProfile[] = [];
  for (const [table, a] of after) {
    const b = before.get(table) ?? { writes: 0, reads: 0 };
    const writes = a.writes - b.writes;
    const reads = a.reads - b.reads;
    if (writes === 0 && reads === 0) continue;
    out.push({ table, writes, reads, writes_per_listen: per(writes), reads_per_listen: per(reads) });
  }
  return out.sort((x, y) => y.writes + y.reads - (x.writes + x.reads) || (x.table < y.table ? -1 : 1));
}

/** A thread's pool: its name (the kernel keeps 15 characters) without a trailing worker number. */
export function poolOf(threadName: string): string {
  return threadName.trim().replace(/[-:#]?\d+$/, '') || threadName.trim();
}

/** CPU ticks and name of every thread of `pid` (empty when /proc is unavailable or the process is gone). */
function threadTicks(pid: number): Map<string, { name: string; ticks: number }> {
  const out = new Map<string, { name: string; ticks: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { name, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

export interface ThreadSampler {
  /** CPU seconds per pool since the start, busiest first */
  stop(): Array<{ pool: string; cpu_seconds: number }>;
  /**
   * CPU seconds this process spent sampling (reading ~200 /proc files every SAMPLE_MS): taken out of
   * the benchmark process's own figure, which is meant to be the publisher's or the floor driver's
   */
  ownCpuSeconds(): number;
}

/**
 * Samples the threads of `pid` every SAMPLE_MS and adds each thread's CPU since the previous
 * sample to the pool it is named after now: a worker that moves between stages is counted
 * under the stage it ran for last (exact to the sampling period).
 */
export function sampleThreads(pid: number): ThreadSampler {
  let last = threadTicks(pid);
  const pools = new Map<string, number>();
  let ownUs = 0;
  const take = (): void => {
    const c0 = process.cpuUsage();
    const now = threadTicks(pid);
    for (const [tid, t] of now) {
      const d = t.ticks - (last.get(tid)?.ticks ?? 0);
      if (d > 0) pools.set(poolOf(t.name), (pools.get(poolOf(t.name)) ?? 0) + d);
    }
    last = now;
    const c = process.cpuUsage(c0);
    ownUs += c.user + c.system;
  };
  const timer = setInterval(take, SAMPLE_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      return [...pools]
        .map(([pool, ticks]) => ({ pool, cpu_seconds: ticks / TICKS_PER_SECOND }))
        .sort((a, b) => b.cpu_seconds - a.cpu_seconds || (a.pool < b.pool ? -1 : 1));
    },
    ownCpuSeconds: () => ownUs / 1e6,
  };
}

/** Pools with their CPU per listen; the ones under 1 % of the total folded into `other`. */
export function threadProfile(pools: Array<{ pool: string; cpu_seconds: number }>, listens: number): ThreadProfile[] {
  const total = pools.reduce((s, p) => s + p.cpu_seconds, 0);
  const out: ThreadProfile[] = [];
  let other = 0;
  for (const p of pools) {
    if (p.cpu_seconds < total / 100) other += p.cpu_seconds;
    else out.push({ pool: p.pool, cpu_seconds: Math.round(p.cpu_seconds * 100) / 100, cpu_us_per_listen: Math.round((p.cpu_seconds * 1e6) / Math.max(1, listens)) });
  }
  if (other > 0) out.push({ pool: 'other', cpu_seconds: Math.round(other * 100) / 100, cpu_us_per_listen: Math.round((other * 1e6) / Math.max(1, listens)) });
  return out;
}
