/**
 * What both benchmarks share: the config of the running stack with a dedicated
 * bench keyspace (migrated with main/migrate), machine facts and service versions.
 */
import { randomBytes } from 'node:crypto';
import { cpus, freemem, totalmem, loadavg } from 'node:os';
import pino from 'pino';
import { loadConfig } from '../engine/shared/config';
import type { Config } from '../engine/shared/config';
import { createCassandra } from '../engine/shared/cassandra';
import type { CassandraClient } from '../engine/shared/cassandra';
import { createRedis } from '../engine/shared/redis';
import type { Logger } from '../engine/shared/logger';
import { UsageError } from '../main/cli/cli-args';
import { migrate } from '../main/migrate/migrator';
import { KAFKA_VERSION } from '../main/stack/native-provider';

export const DEFAULT_BENCH_KEYSPACE = 'topk_bench';

/** A short random tag that names one benchmark run (topics, groups, users, keys). */
export function runTag(): string {
  return randomBytes(4).toString('hex');
}

/** The benchmarks' own log: silent until benchConfig() sets the configured `benchLogLevel`. */
export const quietLog: Logger = pino({ level: 'silent' });

export function benchConfig(keyspace = DEFAULT_BENCH_KEYSPACE, env: Record<string, string> = {}): Config {
  const config = loadConfig({ env: { ...process.env, TOPK_KEYSPACE: keyspace, ...env } });
  quietLog.level = config.benchLogLevel;
  return config;
}

/** The bench keyspace exists with every migration applied. */
export async function prepareKeyspace(config: Config): Promise<void> {
  await migrate(config, quietLog);
}

/** Runs `fn` with a client of the cluster that is bound to no keyspace. */
async function withAdmin<T>(config: Config, fn: (db: CassandraClient) => Promise<T>): Promise<T> {
  const db = createCassandra(config, quietLog, { keyspace: false });
  try {
    await db.connect();
    return await fn(db);
  } finally {
    await db.shutdown().catch(() => undefined);
  }
}

/** Whether the config's keyspace exists (before a benchmark creates it). */
export function keyspaceExists(config: Config): Promise<boolean> {
  return withAdmin(config, async (db) => (await db.execute('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [config.keyspace], { prepare: true })).rowLength > 0);
}

/**
 * Drops a keyspace a benchmark made for itself. Cassandra then discards its memtables and files
 * (auto_snapshot is off in our stacks) instead of flushing and compacting them while a later run
 * is measured.
 */
export async function dropKeyspace(config: Config): Promise<void> {
  await withAdmin(config, (db) => db.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`));
}

/** Progress of a benchmark: always on stderr, so a `--json` run still shows where it is while its report goes to stdout. */
export function benchProgress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A workload over more `days` than the keyspace keeps is a usage error (exit 2), raised before anything is made. */
export function refuseDaysBeyondRetention(keyspace: string, days: number): void {
  const { retentionDays } = benchConfig(keyspace);
  if (days > retentionDays) throw new UsageError(`--days ${days} is more than the retention (${retentionDays} days)`);
}

/**
 * The common start of a benchmark: a progress printer, the config of its keyspace, migrated, and the environment.
 * `made`: the keyspace did not exist before this run (a run that writes throw-away rows drops it at its end: dropMadeKeyspace).
 */
export async function startBench(keyspace: string): Promise<{ say: (line: string) => void; config: Config; env: Environment; made: boolean }> {
  const say = benchProgress;
  const config = benchConfig(keyspace);
  const made = !(await keyspaceExists(config));
  say(`keyspace ${config.keyspace}: migrating`);
  await prepareKeyspace(config);
  return { say, config, env: await describeEnvironment(config), made };
}

/** The end of a run that made its keyspace: drop it (unless `keepData`), so the next run does not pay for compacting its rows. */
export async function dropMadeKeyspace(config: Config, made: boolean, keepData: boolean | undefined, say: (line: string) => void): Promise<void> {
  if (!made || keepData) return;
  say(`keyspace ${config.keyspace}: dropping it (this run made it; --keep-data keeps it)`);
  await dropKeyspace(config);
}

export interface Environment {
  cpus: number;
  cpu_model: string;
  memory_mb: number;
  memory_free_mb: number;
  load_avg: number[];
  node: string;
  kafka: string;
  cassandra: string;
  redis: string;
}

/** Machine facts and the versions of Kafka, Cassandra and Redis (queried where the service tells it). */
export async function describeEnvironment(config: Config): Promise<Environment> {
  const c = cpus();
  const [cass, redis] = await Promise.all([cassandraVersion(config), redisVersion(config)]);
  return {
    cpus: c.length,
    cpu_model: c[0]?.model ?? 'unknown',
    memory_mb: Math.round(totalmem() / 2 ** 20),
    memory_free_mb: Math.round(freemem() / 2 ** 20),
    load_avg: loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    // kafkajs speaks ApiVersions but no broker version string; the native provider pins the release
    kafka: `${KAFKA_VERSION} (native provider release)`,
    cassandra: cass,
    redis,
  };
}

async function cassandraVersion(config: Config): Promise<string> {
  try {
    const rs = await withAdmin(config, (db) => db.execute('SELECT release_version FROM system.local'));
    return String(rs.first()?.get('release_version') ?? 'unknown');
  } catch (err) {
    return `unknown (${(err as Error).message.split('\n')[0]})`;
  }
}

async function redisVersion(config: Config): Promise<string> {
  const r = createRedis(config, quietLog, { name: 'topk-bench' });
  try {
    const info = await r.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (err) {
    return `unknown (${(err as Error).message})`;
  } finally {
    r.disconnect();
  }
}

/** Percentile of an ascending-sorted array (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A fixed-width text table. */
export function table(rows: Array<Array<string | number>>): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, String(c).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ')).join('\n');
}

export function ratio(ours: number, base: number, higherIsBetter: boolean): string {
  if (!Number.isFinite(ours) || !Number.isFinite(base) || ours <= 0 || base <= 0) return '–';
  return `${round(higherIsBetter ? ours / base : base / ours, 1)}×`;
}

/** Report output (stdout) and failures (stderr) of the bench commands. */
export const out = (s: string): void => void process.stdout.write(`${s}\n`);
export const err = (s: string): void => void process.stderr.write(`${s}\n`);
