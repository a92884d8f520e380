/**
 * CPU time of the processes doing the work during a benchmark window, from
 * /proc (Linux): the engine child by pid, and the stack's Cassandra, Kafka and
 * Redis when they run on this machine — the process listening on the
 * configured port (native provider), else, when that is a proxy (Docker), the
 * processes found by their command lines. Where the time goes across
 * processes is what limits throughput on a small box.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** `publisher`: the benchmark process itself while it publishes (kafkajs producer) and polls the lag. */
export type CpuRole = 'engine' | 'cassandra' | 'kafka' | 'redis' | 'publisher';
/** The stack's roles, found by port or command line. */
type StackRole = Exclude<CpuRole, 'engine' | 'publisher'>;

const PATTERNS: Array<[StackRole, RegExp]> = [
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

/** Inodes of sockets listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT, st 0A is LISTEN, inode is the 10th column
      if (cols.length > 9 && cols[3] === '0A' && parseInt(cols[1]!.split(':')[1] ?? '', 16) === port) inodes.add(cols[9]!);
    }
  }
  return inodes;
}

function cmdlineOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The pid whose socket listens on `port` (among `pids`, default all), or null. */
export function listenerPid(port: number, pids: string[] = readdirSync('/proc').filter((e) => /^\d+$/.test(e))): string | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return pid;
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return null;
}

export type StackPorts = Partial<Record<StackRole, number>>;

/** The local processes of the stack behind `ports`, per role (roles not found are absent). */
export function stackPids(ports: StackPorts): Map<StackRole, number[]> {
  const out = new Map<StackRole, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const [role, re] of PATTERNS) {
    const port = ports[role];
    const owner = port === undefined ? null : listenerPid(port, entries);
    if (owner !== null && re.test(cmdlineOf(owner))) {
      out.set(role, [Number(owner)]);
      continue;
    }
    // no listener of ours on the port (a Docker proxy, or another host): every matching process here
    const all = entries.filter((e) => re.test(cmdlineOf(e))).map(Number);
    if (all.length > 0) out.set(role, all);
  }
  return out;
}

export interface CpuWindow {
  /** CPU seconds per role since start(); roles not found are absent */
  stop(): Partial<Record<CpuRole, number>>;
}

/** Ports of the stack a config points at (the first Kafka broker and Cassandra contact point). */
export function stackPorts(config: { kafkaBrokers: string[]; cassandraContactPoints: string[]; redisUrl: string }): StackPorts {
  const portOf = (hostPort: string | undefined, dflt: number): number => Number(/:(\d+)$/.exec(hostPort ?? '')?.[1] ?? dflt);
  let redis = 6379;
  try {
    redis = Number(new URL(config.redisUrl).port || 6379);
  } catch {
    /* keep the default */
  }
  return { kafka: portOf(config.kafkaBrokers[0], 9092), cassandra: portOf(config.cassandraContactPoints[0], 9042), redis };
}

/** Starts measuring the engine `pid`, the stack processes behind `ports` and, given, the publishing process. */
export function measureCpu(enginePid: number, ports: StackPorts = {}, publisherPid?: number): CpuWindow {
  const pids = stackPids(ports);
  const start = new Map<string, number>();
  const read = (role: string, pid: number): void => {
    const s = cpuSecondsOf(pid);
    if (s !== null) start.set(`${role}:${pid}`, s);
  };
  read('engine', enginePid);
  if (publisherPid !== undefined) read('publisher', publisherPid);
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

/** Takes `seconds` the measuring process spent on sampling out of `role`'s figure (that process's own). */
export function withoutSampling(cpu: Partial<Record<CpuRole, number>>, role: CpuRole, seconds: number | undefined): Partial<Record<CpuRole, number>> {
  const s = cpu[role];
  if (s === undefined || !seconds) return cpu;
  return { ...cpu, [role]: Math.round(Math.max(0, s - seconds) * 100) / 100 };
}
