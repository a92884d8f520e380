import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { delimiter, join } from 'node:path';
import { checkCombination, coerce, ConfigError } from './config-checks';
import type { BenchEngine, CassandraConsistency, StackProviderId } from './config-checks';

/**
 * The one typed configuration of Heavy Rotation.
 *
 * Layers, each later one wins: defaults, then `$TOPK_DATA_DIR/config.json`,
 * then environment variables, then CLI flags (passed in as `overrides`).
 */
export interface Config {
  dataDir: string;
  /** control server + UI port (127.0.0.1) */
  port: number;
  /** engine REST API port */
  apiPort: number;
  /** address the API binds to; 127.0.0.1 unless configured for a server deployment */
  apiHost: string;
  /** extra Host header names the API accepts besides loopback names (DNS-rebinding guard) */
  allowedHosts: string[];
  apiToken: string;
  kafkaBrokers: string[];
  cassandraContactPoints: string[];
  cassandraLocalDc: string;
  keyspace: string;
  /** CQL replication map for the keyspace, e.g. {class:'SimpleStrategy', replication_factor:1} */
  replication: Record<string, string | number>;
  /** consistency level of every Cassandra read and write (TOPK_CASSANDRA_CONSISTENCY) */
  cassandraConsistency: CassandraConsistency;
  redisUrl: string;
  retentionDays: number;
  cacheTtlSeconds: number;
  listensTopic: string;
  dlqTopic: string;
  topicPartitions: number;
  /** replication factor of the topics the app creates (TOPK_TOPIC_REPLICATION); producers always wait for acks from all in-sync replicas */
  topicReplication: number;
  /** `min.insync.replicas` of those topics (TOPK_TOPIC_MIN_ISR): an acks=all write fails when fewer replicas are in sync */
  topicMinIsr: number;
  consumerGroup: string;
  listenbrainzUrl: string;
  /** Last.fm API root (TOPK_LASTFM_URL) */
  lastfmUrl: string;
  /**
   * how far back before the newest crawled listen every crawl re-reads, for listens that reach a
   * source late (offline scrobbles); undefined = the whole retention window (TOPK_CRAWL_LOOKBACK_HOURS)
   */
  crawlLookbackHours: number | undefined;
  githubUrl: string;
  githubApiUrl: string;
  /** client id of the user's own GitHub OAuth App (device flow enabled); none until one is configured */
  githubClientId: string | undefined;
  /** only for the optional loopback + PKCE flow; never shipped with the desktop app */
  githubClientSecret: string | undefined;
  logLevel: string;
  /** desktop app: also stop Kafka/Cassandra/Redis when the app quits (default: keep them running) */
  stopStackOnQuit: boolean;
  /** entries of the API's in-process Top-K cache; 0 turns it off (Redis only) */
  apiLruMax: number;
  /** aggregator: dedupe against the raw listens (false only to measure its cost: replays double count) */
  aggregatorDedupe: boolean;
  /** aggregator: Redis hash for its stats (default: the keyspace's) */
  aggregatorStatsKey: string | undefined;
  /** aggregator: wait after a failed write before recomputing (default: longer than Cassandra's counter write timeout) */
  aggregatorSettleMs: number | undefined;
  /** aggregator: most bytes fetched from one Kafka partition per request (a Kafka batch is at most this large) */
  aggregatorFetchKb: number;
  /** aggregator: most messages written as one chunk (one dedupe read, one raw batch and one counter update per slice and chunk) */
  aggregatorChunk: number;
  /**
   * the stack provider to use without `--provider` (docker | native | external); undefined = docker when
   * an engine answers, else native. Saved in config.json when `npm start` falls back from a Docker engine
   * that cannot pull the images, or when the Stack page switches providers.
   */
  stackProvider: StackProviderId | undefined;
  /** docker provider: compose files layered over stack/compose.yml (TOPK_COMPOSE_FILE, paths separated like PATH) */
  composeFiles: string[];
  /** benchmarks: run the engines bundled as the app ships them, or their sources under tsx (TOPK_BENCH_ENGINE) */
  benchEngine: BenchEngine;
  /** benchmarks: write a V8 CPU profile of each engine process into this folder (TOPK_BENCH_PROFILE_DIR) */
  benchProfileDir: string | undefined;
  /** benchmarks: level of their own (otherwise silent) log (TOPK_BENCH_LOG_LEVEL) */
  benchLogLevel: string;
  /** the settings the environment gave: they win over config.json, so a saved change to one has no effect */
  fromEnv: (keyof Config)[];
}

/** The app's user-data folder, the same one Electron's `app.getPath('userData')` gives. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const name = 'Heavy Rotation';
  switch (platform()) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', name);
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), name);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), name);
  }
}

const DEFAULTS: Omit<Config, 'dataDir' | 'apiToken' | 'fromEnv'> = {
  port: 7800,
  apiPort: 8080,
  apiHost: '127.0.0.1',
  allowedHosts: [],
  kafkaBrokers: ['127.0.0.1:9092'],
  cassandraContactPoints: ['127.0.0.1:9042'],
  cassandraLocalDc: 'datacenter1',
  keyspace: 'topk',
  replication: { class: 'SimpleStrategy', replication_factor: 1 },
  cassandraConsistency: 'LOCAL_QUORUM',
  redisUrl: 'redis://127.0.0.1:6379',
  retentionDays: 7,
  cacheTtlSeconds: 300,
  listensTopic: 'listens',
  dlqTopic: 'listens.dlq',
  topicPartitions: 6,
  topicReplication: 1,
  topicMinIsr: 1,
  consumerGroup: 'topk-aggregator',
  listenbrainzUrl: 'https://api.listenbrainz.org',
  lastfmUrl: 'https://ws.audioscrobbler.com/2.0', // stored without the trailing slash like every URL setting; the source adds it
  crawlLookbackHours: undefined,
  githubUrl: 'https://github.com',
  githubApiUrl: 'https://api.github.com',
  githubClientId: undefined,
  githubClientSecret: undefined,
  logLevel: 'info',
  stopStackOnQuit: false,
  apiLruMax: 500,
  aggregatorDedupe: true,
  aggregatorStatsKey: undefined,
  aggregatorSettleMs: undefined,
  aggregatorFetchKb: 2048,
  aggregatorChunk: 8000,
  stackProvider: undefined,
  composeFiles: [],
  benchEngine: 'bundle',
  benchProfileDir: undefined,
  benchLogLevel: 'silent',
};

/** Environment variable → config key. */
const ENV_KEYS: Record<string, keyof Config> = {
  TOPK_PORT: 'port',
  TOPK_API_PORT: 'apiPort',
  TOPK_API_HOST: 'apiHost',
  TOPK_ALLOWED_HOSTS: 'allowedHosts',
  TOPK_API_TOKEN: 'apiToken',
  TOPK_KAFKA_BROKERS: 'kafkaBrokers',
  TOPK_CASSANDRA_CONTACT_POINTS: 'cassandraContactPoints',
  TOPK_CASSANDRA_LOCAL_DC: 'cassandraLocalDc',
  TOPK_KEYSPACE: 'keyspace',
  TOPK_CASSANDRA_REPLICATION: 'replication',
  TOPK_CASSANDRA_CONSISTENCY: 'cassandraConsistency',
  TOPK_REDIS_URL: 'redisUrl',
  TOPK_RETENTION_DAYS: 'retentionDays',
  TOPK_CACHE_TTL_SECONDS: 'cacheTtlSeconds',
  TOPK_LISTENS_TOPIC: 'listensTopic',
  TOPK_DLQ_TOPIC: 'dlqTopic',
  TOPK_TOPIC_PARTITIONS: 'topicPartitions',
  TOPK_TOPIC_REPLICATION: 'topicReplication',
  TOPK_TOPIC_MIN_ISR: 'topicMinIsr',
  TOPK_CONSUMER_GROUP: 'consumerGroup',
  TOPK_LISTENBRAINZ_URL: 'listenbrainzUrl',
  TOPK_LASTFM_URL: 'lastfmUrl',
  TOPK_CRAWL_LOOKBACK_HOURS: 'crawlLookbackHours',
  TOPK_GITHUB_URL: 'githubUrl',
  TOPK_GITHUB_API_URL: 'githubApiUrl',
  TOPK_GITHUB_CLIENT_ID: 'githubClientId',
  TOPK_GITHUB_CLIENT_SECRET: 'githubClientSecret',
  TOPK_LOG_LEVEL: 'logLevel',
  TOPK_STOP_STACK_ON_QUIT: 'stopStackOnQuit',
  TOPK_API_LRU_MAX: 'apiLruMax',
  TOPK_AGGREGATOR_DEDUPE: 'aggregatorDedupe',
  TOPK_AGGREGATOR_STATS_KEY: 'aggregatorStatsKey',
  TOPK_AGGREGATOR_SETTLE_MS: 'aggregatorSettleMs',
  TOPK_AGGREGATOR_FETCH_KB: 'aggregatorFetchKb',
  TOPK_AGGREGATOR_CHUNK: 'aggregatorChunk',
  TOPK_STACK_PROVIDER: 'stackProvider',
  TOPK_COMPOSE_FILE: 'composeFiles',
  TOPK_BENCH_ENGINE: 'benchEngine',
  TOPK_BENCH_PROFILE_DIR: 'benchProfileDir',
  TOPK_BENCH_LOG_LEVEL: 'benchLogLevel',
};

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** CLI flags, already mapped to config keys */
  overrides?: Partial<Config>;
  /** create the data dir and the API token file when missing (default true) */
  persistToken?: boolean;
}

export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const dataDir = opts.overrides?.dataDir ?? env.TOPK_DATA_DIR ?? defaultDataDir(env);
  const merged: Record<string, unknown> = { ...DEFAULTS, dataDir };

  const file = join(dataDir, 'config.json');
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`, 'config.json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`${file} must hold a JSON object`, 'config.json');
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (!(k in DEFAULTS) && k !== 'apiToken') throw new ConfigError(`${file}: unknown setting "${k}"`, k);
      merged[k] = coerce(k as keyof Config, v, file);
    }
  }
  const fromEnv: (keyof Config)[] = [];
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    merged[key] = coerce(key, v, name);
    fromEnv.push(key);
  }
  merged.fromEnv = fromEnv;
  for (const [k, v] of Object.entries(opts.overrides ?? {})) {
    if (v !== undefined) merged[k] = k === 'dataDir' ? v : coerce(k as keyof Config, v, `--${k}`);
  }
  checkCombination(merged as unknown as Config);
  if (typeof merged.apiToken !== 'string' || merged.apiToken === '') {
    merged.apiToken = loadOrCreateToken(dataDir, opts.persistToken !== false);
  }
  return merged as unknown as Config;
}

/**
 * Sets (or, with undefined, removes) one setting in `$TOPK_DATA_DIR/config.json`, keeping every
 * other setting in it; written to a temporary file and renamed, so a reader never sees half a file.
 */
export function saveConfigSetting<K extends keyof Config>(dataDir: string, key: K, value: Config[K] | undefined): void {
  const file = join(dataDir, 'config.json');
  let settings: Record<string, unknown> = {};
  if (existsSync(file)) {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`${file} must hold a JSON object`, 'config.json');
    settings = parsed as Record<string, unknown>;
  }
  if (value === undefined) delete settings[key];
  else settings[key] = value;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** `$TOPK_DATA_DIR/api-token`, created with mode 0600 on first use. */
function loadOrCreateToken(dataDir: string, persist: boolean): string {
  const file = join(dataDir, 'api-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return token;
  }
  const token = randomBytes(32).toString('base64url');
  if (persist) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, token + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return token;
}

/** The environment a child process needs to rebuild the same Config. */
export function configToEnv(c: Config): Record<string, string> {
  const out: Record<string, string> = { TOPK_DATA_DIR: c.dataDir };
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const v = c[key];
    if (v === undefined) continue;
    out[name] = Array.isArray(v) ? v.join(key === 'composeFiles' ? delimiter : ',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}
