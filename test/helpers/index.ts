/**
 * What integration tests share: a Config pointing at the test stack that
 * test/global-setup.ts brought up (or found), unique ids, and the migrated
 * test keyspace.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../engine/shared/config';
import type { Config } from '../../engine/shared/config';
import type { Logger } from '../../engine/shared/logger';
import { migrate } from '../../main/migrate/migrator';

/** The keyspace global-setup migrated once for the whole run. */
export const TEST_KEYSPACE = process.env.TOPK_TEST_KEYSPACE ?? 'topk_test';

/** Logger for tests: silent unless TEST_LOG_LEVEL is set. */
export const testLog: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** `prefix-<10 hex>`: unique per call, for user ids, topics, groups, keys. */
export function uid(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** `prefix_<8 hex>`, valid as a CQL identifier (keyspace, table). */
export function cqlId(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/**
 * A Config for the test stack: endpoints from the environment global-setup
 * exported (TOPK_KAFKA_BROKERS, TOPK_CASSANDRA_CONTACT_POINTS, TOPK_REDIS_URL),
 * keyspace `topk_test`, a fresh temporary data dir. `env` overrides anything.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    env: {
      TOPK_KAFKA_BROKERS: process.env.TOPK_KAFKA_BROKERS ?? '127.0.0.1:9092',
      TOPK_CASSANDRA_CONTACT_POINTS: process.env.TOPK_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042',
      TOPK_CASSANDRA_LOCAL_DC: process.env.TOPK_CASSANDRA_LOCAL_DC ?? 'datacenter1',
      TOPK_REDIS_URL: process.env.TOPK_REDIS_URL ?? 'redis://127.0.0.1:6379',
      TOPK_KEYSPACE: TEST_KEYSPACE,
      TOPK_API_TOKEN: `test-${randomBytes(8).toString('hex')}`,
      TOPK_DATA_DIR: mkdtempSync(join(tmpdir(), 'topk-test-')),
      ...env,
    },
    persistToken: false,
  });
}

/** Makes sure `config.keyspace` exists with every migration (idempotent; cheap when already done). */
export async function migratedKeyspace(config: Config = testConfig(), log: Logger = testLog): Promise<Config> {
  await migrate(config, log);
  return config;
}
