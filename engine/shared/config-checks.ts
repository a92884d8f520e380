/**
 * What a valid value of each setting is: coercion of the strings config.json, the environment
 * and flags give, ranges, the replication map, and the combinations refused before anything
 * connects. Every failure is a ConfigError naming the setting.
 */
import { delimiter } from 'node:path';
import type { Config } from './config';

export const STACK_PROVIDER_IDS = ['docker', 'native', 'external'] as const;
export type StackProviderId = (typeof STACK_PROVIDER_IDS)[number];

/** The consistency levels a read and a write can both use (EACH_QUORUM and SERIAL levels are left out). */
export const CASSANDRA_CONSISTENCIES = ['ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_ONE', 'LOCAL_QUORUM'] as const;
export type CassandraConsistency = (typeof CASSANDRA_CONSISTENCIES)[number];

/** How the benchmarks run the engines: bundled as the app ships them, or the TypeScript sources under tsx. */
export const BENCH_ENGINES = ['bundle', 'tsx'] as const;
export type BenchEngine = (typeof BENCH_ENGINES)[number];

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}


const INT_RANGES: Partial<Record<keyof Config, [number, number]>> = {
  port: [1, 65535],
  apiPort: [1, 65535],
  retentionDays: [1, 3650],
  cacheTtlSeconds: [1, 86400 * 30],
  topicPartitions: [1, 1000],
  topicReplication: [1, 32],
  topicMinIsr: [1, 32],
  crawlLookbackHours: [0, 24 * 3650],
  apiLruMax: [0, 10_000_000],
  aggregatorSettleMs: [0, 600_000],
  aggregatorFetchKb: [64, 65_536],
  aggregatorChunk: [1, 100_000],
};
const LIST_KEYS = new Set<keyof Config>(['kafkaBrokers', 'cassandraContactPoints', 'allowedHosts']);
/** lists of file paths, separated by the platform's path delimiter (like PATH) */
const PATH_LIST_KEYS = new Set<keyof Config>(['composeFiles']);
const ENUM_KEYS: Partial<Record<keyof Config, readonly string[]>> = { stackProvider: STACK_PROVIDER_IDS, benchEngine: BENCH_ENGINES };
const BOOL_KEYS = new Set<keyof Config>(['stopStackOnQuit', 'aggregatorDedupe']);
const URL_KEYS = new Set<keyof Config>(['listenbrainzUrl', 'lastfmUrl', 'githubUrl', 'githubApiUrl', 'redisUrl']);

/** A setting's value from config.json, the environment or a flag, checked and in its type. */
export function coerce(key: keyof Config, raw: unknown, origin: string): unknown {
  if (INT_RANGES[key]) {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    const [lo, hi] = INT_RANGES[key];
    if (!Number.isInteger(n) || n < lo || n > hi) {
      throw new ConfigError(`${origin}: ${key} must be an integer between ${lo} and ${hi}, got ${JSON.stringify(raw)}`, key);
    }
    return n;
  }
  if (BOOL_KEYS.has(key)) {
    if (typeof raw === 'boolean') return raw;
    const t = String(raw).trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    throw new ConfigError(`${origin}: ${key} must be true or false, got ${JSON.stringify(raw)}`, key);
  }
  if (PATH_LIST_KEYS.has(key)) {
    const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(delimiter);
    return list.map((s) => s.trim()).filter(Boolean);
  }
  if (LIST_KEYS.has(key)) {
    const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
    const cleaned = list.map((s) => s.trim()).filter(Boolean);
    if (cleaned.length === 0 && key !== 'allowedHosts') throw new ConfigError(`${origin}: ${key} must name at least one host:port`, key);
    return cleaned;
  }
  if (key === 'replication') {
    let parsed: unknown = raw;
    if (typeof raw !== 'object' || raw === null) {
      try {
        parsed = JSON.parse(String(raw));
      } catch {
        parsed = undefined;
      }
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'class' in parsed) return checkReplication(parsed as Record<string, unknown>, origin);
    throw new ConfigError(`${origin}: replication must be a JSON object with a "class", e.g. {"class":"SimpleStrategy","replication_factor":1}`, key);
  }
  if (key === 'cassandraConsistency') {
    const level = String(raw).trim().toUpperCase();
    if (!(CASSANDRA_CONSISTENCIES as readonly string[]).includes(level)) {
      throw new ConfigError(`${origin}: cassandraConsistency must be one of ${CASSANDRA_CONSISTENCIES.join(', ')}, got ${JSON.stringify(raw)}`, key);
    }
    return level;
  }
  const s = String(raw);
  const allowed = ENUM_KEYS[key];
  if (allowed) {
    if (!allowed.includes(s)) throw new ConfigError(`${origin}: ${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`, key);
    return s;
  }
  if (URL_KEYS.has(key)) {
    try {
      new URL(s);
    } catch {
      throw new ConfigError(`${origin}: ${key} must be a URL, got ${JSON.stringify(s)}`, key);
    }
    return s.replace(/\/+$/, '');
  }
  return s;
}

const CLASS_PREFIX = 'org.apache.cassandra.locator.';

/**
 * A keyspace replication map Cassandra accepts: SimpleStrategy with an integer
 * `replication_factor`, or NetworkTopologyStrategy with an integer per data center.
 */
function checkReplication(map: Record<string, unknown>, origin: string): Record<string, string | number> {
  const cls = String(map.class).replace(CLASS_PREFIX, '');
  const count = (k: string, v: unknown): number => {
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (!Number.isInteger(n) || n < 0 || n > 32) throw new ConfigError(`${origin}: replication.${k} must be an integer between 0 and 32, got ${JSON.stringify(v)}`, 'replication');
    return n;
  };
  const out: Record<string, string | number> = { class: cls };
  if (cls === 'SimpleStrategy') {
    for (const k of Object.keys(map)) if (k !== 'class' && k !== 'replication_factor') throw new ConfigError(`${origin}: replication.${k} is not a SimpleStrategy option (only replication_factor)`, 'replication');
    const rf = count('replication_factor', map.replication_factor);
    if (rf < 1) throw new ConfigError(`${origin}: replication.replication_factor must be at least 1`, 'replication');
    out.replication_factor = rf;
    return out;
  }
  if (cls === 'NetworkTopologyStrategy') {
    const dcs = Object.entries(map).filter(([k]) => k !== 'class');
    if (dcs.length === 0) throw new ConfigError(`${origin}: replication with NetworkTopologyStrategy needs a replica count per data center, e.g. {"class":"NetworkTopologyStrategy","datacenter1":3}`, 'replication');
    for (const [dc, v] of dcs) out[dc] = count(dc, v);
    return out;
  }
  throw new ConfigError(`${origin}: replication.class must be SimpleStrategy or NetworkTopologyStrategy, got ${JSON.stringify(map.class)}`, 'replication');
}

/** Replicas in the local data center (the one LOCAL_* levels count in), or in all of them. */
function replicaCount(c: Pick<Config, 'replication' | 'cassandraLocalDc'>, scope: 'local' | 'all'): number {
  const r = c.replication;
  if (r.class === 'SimpleStrategy') return Number(r.replication_factor);
  if (scope === 'local') return Number(r[c.cassandraLocalDc] ?? 0);
  return Object.entries(r).reduce((sum, [k, v]) => (k === 'class' ? sum : sum + Number(v)), 0);
}

/** Settings that are valid alone but not together: refused before anything connects. */
export function checkCombination(c: Config): void {
  if (c.topicMinIsr > c.topicReplication) {
    throw new ConfigError(`topicMinIsr (TOPK_TOPIC_MIN_ISR=${c.topicMinIsr}) must not exceed topicReplication (TOPK_TOPIC_REPLICATION=${c.topicReplication}): acks=all writes could never succeed`, 'topicMinIsr');
  }
  const level = c.cassandraConsistency;
  const local = level.startsWith('LOCAL_');
  const replicas = replicaCount(c, local ? 'local' : 'all');
  if (local && replicas === 0) {
    throw new ConfigError(`cassandraConsistency ${level} counts replicas in the local data center "${c.cassandraLocalDc}", but the replication ${JSON.stringify(c.replication)} puts none there (TOPK_CASSANDRA_LOCAL_DC / TOPK_CASSANDRA_REPLICATION)`, 'cassandraConsistency');
  }
  const needs = { ONE: 1, TWO: 2, THREE: 3, LOCAL_ONE: 1 }[level as 'ONE'] ?? 0;
  if (needs > replicas) {
    throw new ConfigError(`cassandraConsistency ${level} needs ${needs} replicas but the replication ${JSON.stringify(c.replication)} keeps ${replicas}: every query would fail (TOPK_CASSANDRA_CONSISTENCY / TOPK_CASSANDRA_REPLICATION)`, 'cassandraConsistency');
  }
}
