import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configToEnv, loadConfig } from './config';
import { ConfigError } from './config-checks';

const dirs: string[] = [];
function dataDir(config?: unknown): string {
  const d = mkdtempSync(join(tmpdir(), 'cfg-'));
  dirs.push(d);
  if (config !== undefined) writeFileSync(join(d, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The Config of these environment settings over a fresh, empty data dir. */
const fromEnv = (env: Record<string, string> = {}, overrides?: NonNullable<Parameters<typeof loadConfig>[0]>['overrides']) => loadConfig({ env: { TOPK_DATA_DIR: dataDir(), ...env }, overrides });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('invents no GitHub OAuth App: no client id until one is configured (config.json, or TOPK_GITHUB_CLIENT_ID which wins)', () => {
    expect(fromEnv().githubClientId).toBeUndefined();
    const d = dataDir({ githubClientId: 'Ov23liFromTheFile001' });
    expect(loadConfig({ env: { TOPK_DATA_DIR: d } }).githubClientId).toBe('Ov23liFromTheFile001');
    expect(loadConfig({ env: { TOPK_DATA_DIR: d, TOPK_GITHUB_CLIENT_ID: 'Ov23liFromTheEnv0001' } }).githubClientId).toBe('Ov23liFromTheEnv0001');
  });

  it('has working defaults', () => {
    const c = fromEnv();
    expect(c).toMatchObject({
      port: 7800,
      apiPort: 8080,
      apiHost: '127.0.0.1',
      kafkaBrokers: ['127.0.0.1:9092'],
      cassandraContactPoints: ['127.0.0.1:9042'],
      redisUrl: 'redis://127.0.0.1:6379',
      keyspace: 'topk',
      retentionDays: 7,
      cacheTtlSeconds: 300,
      listensTopic: 'listens',
      listenbrainzUrl: 'https://api.listenbrainz.org',
    });
  });

  it('layers defaults < config.json < env < flags', () => {
    const d = dataDir({ port: 7900, apiPort: 9000, retentionDays: 14, keyspace: 'from_file' });
    const c = loadConfig({ env: { TOPK_DATA_DIR: d, TOPK_API_PORT: '9100', TOPK_KEYSPACE: 'from_env' }, overrides: { keyspace: 'from_flag' } });
    expect(c.port).toBe(7900); // file over default
    expect(c.retentionDays).toBe(14);
    expect(c.apiPort).toBe(9100); // env over file
    expect(c.keyspace).toBe('from_flag'); // flag over env
    expect(c.cacheTtlSeconds).toBe(300); // default where nobody says otherwise
  });

  it('coerces lists, URLs, JSON maps and booleans; ignores empty env values', () => {
    const c = fromEnv({
      TOPK_KAFKA_BROKERS: ' a:1, b:2 ,,c:3',
      TOPK_LISTENBRAINZ_URL: 'http://127.0.0.1:5000/',
      TOPK_CASSANDRA_REPLICATION: '{"class":"NetworkTopologyStrategy","dc1":3}',
      TOPK_CASSANDRA_LOCAL_DC: 'dc1',
      TOPK_STOP_STACK_ON_QUIT: 'true',
      TOPK_PORT: '',
    });
    expect(c.kafkaBrokers).toEqual(['a:1', 'b:2', 'c:3']);
    expect(c.listenbrainzUrl).toBe('http://127.0.0.1:5000');
    expect(c.replication).toEqual({ class: 'NetworkTopologyStrategy', dc1: 3 });
    expect(c.stopStackOnQuit).toBe(true);
    expect(c.port).toBe(7800);
  });

  it.each([
    [{ TOPK_PORT: '70000' }, 'port', /TOPK_PORT: port must be an integer between 1 and 65535/],
    [{ TOPK_RETENTION_DAYS: '1.5' }, 'retentionDays', /retentionDays must be an integer/],
    [{ TOPK_KAFKA_BROKERS: ' , ' }, 'kafkaBrokers', /at least one host:port/],
    [{ TOPK_GITHUB_URL: 'not a url' }, 'githubUrl', /must be a URL/],
    [{ TOPK_CASSANDRA_REPLICATION: '[1]' }, 'replication', /JSON object with a "class"/],
    [{ TOPK_STOP_STACK_ON_QUIT: 'maybe' }, 'stopStackOnQuit', /true or false/],
    [{ TOPK_CASSANDRA_CONSISTENCY: 'MOSTLY' }, 'cassandraConsistency', /TOPK_CASSANDRA_CONSISTENCY: cassandraConsistency must be one of ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM/],
    [{ TOPK_CASSANDRA_CONSISTENCY: 'THREE' }, 'cassandraConsistency', /THREE needs 3 replicas but the replication .* keeps 1/],
    [{ TOPK_CASSANDRA_REPLICATION: '{"class":"NetworkTopologyStrategy","dc2":3}' }, 'cassandraConsistency', /LOCAL_QUORUM counts replicas in the local data center "datacenter1"/],
    [{ TOPK_CASSANDRA_REPLICATION: '{"class":"SimpleStrategy","replication_factor":"three"}' }, 'replication', /replication.replication_factor must be an integer/],
    [{ TOPK_CASSANDRA_REPLICATION: '{"class":"SimpleStrategy","replication_factor":0}' }, 'replication', /at least 1/],
    [{ TOPK_CASSANDRA_REPLICATION: '{"class":"SimpleStrategy","replication_factor":3,"dc1":3}' }, 'replication', /replication.dc1 is not a SimpleStrategy option/],
    [{ TOPK_CASSANDRA_REPLICATION: '{"class":"NetworkTopologyStrategy"}' }, 'replication', /a replica count per data center/],
    [{ TOPK_CASSANDRA_REPLICATION: '{"class":"EverywhereStrategy"}' }, 'replication', /SimpleStrategy or NetworkTopologyStrategy/],
    [{ TOPK_TOPIC_REPLICATION: '0' }, 'topicReplication', /topicReplication must be an integer between 1 and 32/],
    [{ TOPK_TOPIC_REPLICATION: '3', TOPK_TOPIC_MIN_ISR: '4' }, 'topicMinIsr', /must not exceed topicReplication/],
  ])('rejects bad env %j with a clear error naming the field', (env, field, message) => {
    const e = configError(() => fromEnv(env));
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  it('reads the cluster settings: consistency, replication per data center, topic replication and min ISR', () => {
    const c = fromEnv({
      TOPK_CASSANDRA_CONSISTENCY: 'local_one',
      TOPK_CASSANDRA_REPLICATION: '{"class":"org.apache.cassandra.locator.NetworkTopologyStrategy","datacenter1":"3","dc2":2}',
      TOPK_TOPIC_REPLICATION: '3',
      TOPK_TOPIC_MIN_ISR: '2',
    });
    expect(c.cassandraConsistency).toBe('LOCAL_ONE');
    expect(c.replication).toEqual({ class: 'NetworkTopologyStrategy', datacenter1: 3, dc2: 2 });
    expect([c.topicReplication, c.topicMinIsr]).toEqual([3, 2]);
    const d = fromEnv();
    expect([d.cassandraConsistency, d.topicReplication, d.topicMinIsr]).toEqual(['LOCAL_QUORUM', 1, 1]);
    // QUORUM counts every data center's replicas: 3 + 2
    expect(fromEnv({ TOPK_CASSANDRA_CONSISTENCY: 'THREE', TOPK_CASSANDRA_REPLICATION: '{"class":"NetworkTopologyStrategy","datacenter1":1,"dc2":2}' }).cassandraConsistency).toBe('THREE');
  });

  it('rejects a bad config.json: invalid JSON, not an object, unknown key, bad value', () => {
    expect(configError(() => loadConfig({ env: { TOPK_DATA_DIR: dataDir('{nope') } })).message).toMatch(/config\.json is not valid JSON/);
    expect(configError(() => loadConfig({ env: { TOPK_DATA_DIR: dataDir([1, 2]) } })).message).toMatch(/must hold a JSON object/);
    const unknown = configError(() => loadConfig({ env: { TOPK_DATA_DIR: dataDir({ prot: 1 }) } }));
    expect(unknown.message).toMatch(/unknown setting "prot"/);
    expect(unknown.field).toBe('prot');
    expect(configError(() => loadConfig({ env: { TOPK_DATA_DIR: dataDir({ port: 'x' }) } })).message).toMatch(/config\.json: port must be an integer/);
  });

  it('rejects bad flags, naming the flag', () => {
    expect(configError(() => fromEnv({}, { port: 0 })).message).toMatch(/^--port: port must be an integer/);
  });

  it('creates the API token once, mode 0600, and reuses it', () => {
    const d = dataDir();
    const a = loadConfig({ env: { TOPK_DATA_DIR: d } });
    expect(a.apiToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const file = join(d, 'api-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(a.apiToken);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ env: { TOPK_DATA_DIR: d } }).apiToken).toBe(a.apiToken);
    expect(loadConfig({ env: { TOPK_DATA_DIR: d, TOPK_API_TOKEN: 'given-token-value' } }).apiToken).toBe('given-token-value');
  });

  it('does not write a token when persistToken is false', () => {
    const d = dataDir();
    loadConfig({ env: { TOPK_DATA_DIR: d }, persistToken: false });
    expect(existsSync(join(d, 'api-token'))).toBe(false);
  });

  it('configToEnv gives a child process the same config', () => {
    const d = dataDir({ retentionDays: 3 });
    const c = loadConfig({
      env: { TOPK_DATA_DIR: d, TOPK_KAFKA_BROKERS: 'k1:1,k2:2', TOPK_CASSANDRA_REPLICATION: '{"class":"SimpleStrategy","replication_factor":3}' },
      overrides: { apiPort: 8181, allowedHosts: ['topk.example'] },
    });
    const env = configToEnv(c);
    expect(env.TOPK_DATA_DIR).toBe(d);
    expect(env.TOPK_API_TOKEN).toBe(c.apiToken);
    const child = loadConfig({ env });
    // for the child every setting comes from its environment (and so wins over config.json)
    expect(child.fromEnv).toEqual(expect.arrayContaining(['apiPort', 'allowedHosts', 'retentionDays', 'kafkaBrokers']));
    expect({ ...child, fromEnv: c.fromEnv }).toEqual(c);
  });

  it('records which settings the environment gave (they win over config.json; the sign-in screen says so for the client id)', () => {
    const d = dataDir({ githubClientId: 'Ov23liFromTheFile001', logLevel: 'debug' });
    expect(loadConfig({ env: { TOPK_DATA_DIR: d, TOPK_PORT: '' } }).fromEnv).toEqual([]);
    const c = loadConfig({ env: { TOPK_DATA_DIR: d, TOPK_GITHUB_CLIENT_ID: 'Ov23liFromTheEnv0001', TOPK_LOG_LEVEL: 'warn' }, overrides: { port: 7801 } });
    expect(c.fromEnv.sort()).toEqual(['githubClientId', 'logLevel']);
    expect([c.githubClientId, c.logLevel, c.port]).toEqual(['Ov23liFromTheEnv0001', 'warn', 7801]);
  });

  it('reads the compose override files as a path list and the benchmark settings', () => {
    const files = ['/a/one.yml', '/b/two.yml'];
    const c = fromEnv({ TOPK_COMPOSE_FILE: files.join(delimiter), TOPK_BENCH_ENGINE: 'tsx', TOPK_BENCH_PROFILE_DIR: '/tmp/prof', TOPK_BENCH_LOG_LEVEL: 'debug' });
    expect(c).toMatchObject({ composeFiles: files, benchEngine: 'tsx', benchProfileDir: '/tmp/prof', benchLogLevel: 'debug' });
    expect(configToEnv(c).TOPK_COMPOSE_FILE).toBe(files.join(delimiter));
    expect(loadConfig({ env: configToEnv(c) }).composeFiles).toEqual(files);
    expect(fromEnv()).toMatchObject({ composeFiles: [], benchEngine: 'bundle', benchProfileDir: undefined, benchLogLevel: 'silent' });
    const e = configError(() => fromEnv({ TOPK_BENCH_ENGINE: 'bun' }));
    expect([e.field, e.message]).toEqual(['benchEngine', 'TOPK_BENCH_ENGINE: benchEngine must be one of bundle, tsx, got "bun"']);
  });
});

describe('engine settings (typed, no process.env reads in the entry files)', () => {
  it('defaults, environment and bad values of the API cache and aggregator settings', () => {
    const d = dataDir();
    const base = loadConfig({ env: { TOPK_DATA_DIR: d }, persistToken: false });
    expect(base).toMatchObject({ apiLruMax: 500, aggregatorDedupe: true, aggregatorStatsKey: undefined, aggregatorSettleMs: undefined, aggregatorFetchKb: 2048, aggregatorChunk: 8000 });
    const set = loadConfig({
      env: { TOPK_DATA_DIR: d, TOPK_API_LRU_MAX: '0', TOPK_AGGREGATOR_DEDUPE: '0', TOPK_AGGREGATOR_STATS_KEY: 'stats:x', TOPK_AGGREGATOR_SETTLE_MS: '1500', TOPK_AGGREGATOR_FETCH_KB: '512', TOPK_AGGREGATOR_CHUNK: '500' },
      persistToken: false,
    });
    expect(set).toMatchObject({ apiLruMax: 0, aggregatorDedupe: false, aggregatorStatsKey: 'stats:x', aggregatorSettleMs: 1500, aggregatorFetchKb: 512, aggregatorChunk: 500 });
    // children rebuild the same settings from configToEnv
    expect(loadConfig({ env: configToEnv(set), persistToken: false })).toMatchObject({ apiLruMax: 0, aggregatorDedupe: false, aggregatorSettleMs: 1500, aggregatorFetchKb: 512, aggregatorChunk: 500 });
    expect(configError(() => loadConfig({ env: { TOPK_DATA_DIR: d, TOPK_AGGREGATOR_FETCH_KB: '8' }, persistToken: false })).field).toBe('aggregatorFetchKb');
    expect(configError(() => loadConfig({ env: { TOPK_DATA_DIR: d, TOPK_AGGREGATOR_CHUNK: '0' }, persistToken: false })).field).toBe('aggregatorChunk');
    expect(configError(() => loadConfig({ env: { TOPK_DATA_DIR: d, TOPK_API_LRU_MAX: 'many' }, persistToken: false })).field).toBe('apiLruMax');
    expect(configError(() => loadConfig({ env: { TOPK_DATA_DIR: d, TOPK_AGGREGATOR_DEDUPE: 'maybe' }, persistToken: false })).field).toBe('aggregatorDedupe');
  });
});
