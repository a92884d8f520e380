/**
 * A suite's OWN stack (the fault suite's, the cluster suite's): private ports on a loopback
 * address and its own data dir under .cache/, so restarting or killing its services never
 * touches the shared dev stack on 9092/9042/6379. `TOPK_<NAME>_KAFKA_PORT`, `_CASSANDRA_PORT`,
 * `_REDIS_PORT` and `_DATA_DIR` move it.
 */
import { join } from 'node:path';
import { loadConfig } from '../../engine/shared/config';
import type { Config } from '../../engine/shared/config';

const ROOT = join(import.meta.dirname, '..', '..');

export interface PrivateStack {
  /** where it keeps its data: `TOPK_<NAME>_DATA_DIR`, else `.cache/<name>-stack` */
  dataDir(): string;
  /** the app's settings for it: its endpoints, data dir and token, a quiet log, 6 partitions, then `env` */
  config(env: Record<string, string>): Config;
}

export function privateStack(name: 'fault' | 'cluster', host: string, ports: { kafka: number; cassandra: number; redis: number }): PrivateStack {
  const setting = (what: string): string | undefined => process.env[`TOPK_${name.toUpperCase()}_${what}`];
  const kafka = Number(setting('KAFKA_PORT') ?? ports.kafka);
  const cassandra = Number(setting('CASSANDRA_PORT') ?? ports.cassandra);
  const redis = Number(setting('REDIS_PORT') ?? ports.redis);
  const dataDir = (): string => setting('DATA_DIR') ?? join(ROOT, '.cache', `${name}-stack`);
  return {
    dataDir,
    config: (env) =>
      loadConfig({
        env: {
          TOPK_DATA_DIR: dataDir(),
          TOPK_API_TOKEN: `${name}-suite-token`,
          TOPK_KAFKA_BROKERS: `${host}:${kafka}`,
          TOPK_CASSANDRA_CONTACT_POINTS: `${host}:${cassandra}`,
          TOPK_REDIS_URL: `redis://${host}:${redis}`,
          TOPK_TOPIC_PARTITIONS: '6',
          TOPK_LOG_LEVEL: 'warn',
          ...env,
        },
        persistToken: false,
      }),
  };
}
