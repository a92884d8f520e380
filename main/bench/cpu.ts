/**
 * CPU time of the processes doing the work during a benchmark window, from
 * /proc (Linux): the engine child by pid, and the stack's Cassandra, Kafka and
 * Redis found by their command lines when they run on this machine (native
 * provider, or Docker containers, whose processes the host sees too). Where
 * the time goes across processes is what limits throughput on a small box.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export type CpuRole = 'engine' | 'cassandra' | 'kafka' | 'redis';

const PATTERNS: Array<[Exclude<CpuRole, 'engine'>, RegExp]> = [
  ['cassandra', /org\.apache\.cassandra\.service\.CassandraDaemon/],
  ['kafka', /kafka\.Kafka\b/],
  ['redis', /(^|\/)redis-server\b/],
];

/** utime + stime of a pid in seconds, or null when it is gone or /proc is unavailable. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may contain spaces: fields after the closing parenthesis are fixed
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function stackPids(): Map<Exclude<CpuRole, 'engine'>, number[]> {
  const out = new Map<Exclude<CpuRole, 'engine'>, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const e of entries) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    for (const [role, re] of PATTERNS) {
      if (re.test(cmd)) {
        out.set(role, [...(out.get(role) ?? []), Number(e)]);
        break;
      }
    }
  }
  return out;
}

export interface CpuWindow {
  /** CPU seconds per role since start(); roles not found are absent */
  stop(): Partial<Record<CpuRole, number>>;
}

/** Starts measuring the engine `pid` and the local stack processes. */
export function measureCpu(enginePid: number): CpuWindow {
  const pids = stackPids();
  const start = new Map<string, number>();
  const read = (role: string, pid: number): void => {
    const s = cpuSecondsOf(pid);
    if (s !== null) start.set(`${role}:${pid}`, s);
  };
  read('engine', enginePid);
  for (const [role, list] of pids) for (const pid of list) read(role, pid);
  return {
    stop() {
      const out: Partial<Record<CpuRole, number>> = {};
      for (const [key, s0] of start) {
        const [role, pid] = key.split(':') as [CpuRole, string];
        const s1 = cpuSecondsOf(Number(pid));
        if (s1 !== null) out[role] = Math.round(((out[role] ?? 0) + s1 - s0) * 100) / 100;
      }
      return out;
    },
  };
}
