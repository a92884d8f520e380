/**
 * Brings up the stack the integration tests talk to, once per run.
 *
 * - TOPK_TEST_STACK=external: use TOPK_KAFKA_BROKERS / TOPK_CASSANDRA_CONTACT_POINTS /
 *   TOPK_REDIS_URL as given (several brokers / contact points allowed).
 * - TOPK_TEST_PROVIDER=docker: test/docker/compose.test.yml over stack/compose.yml
 *   (images built locally by test/docker/test-images.ts, cached by content hash).
 * - otherwise: if Kafka, Cassandra and Redis already answer on the configured
 *   endpoints (default ports, or TOPK_* given), reuse them and leave them running;
 *   else start the stack with TOPK_TEST_PROVIDER (native by default, or docker)
 *   with its data under TOPK_TEST_DATA_DIR (default .cache/test-stack), and stop
 *   it again at the end. Only what this setup started is torn down.
 *
 * Then the keyspace `topk_test` (TOPK_TEST_KEYSPACE) is migrated once, and the
 * endpoints are exported as TOPK_* environment variables for the test workers.
 */
import { join } from 'node:path';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../engine/shared/config';
import { migrate } from '../main/migrate/migrator';
import { probeCassandra, probeKafka, probeRedis } from '../main/stack/probes';
import { StackManager } from '../main/stack/stack-manager';
import type { StackEndpoints, StackProvider } from '../main/stack/types';

declare module 'vitest' {
  export interface ProvidedContext {
    topkTestEnv: Record<string, string>;
  }
}

const ROOT = join(import.meta.dirname, '..');

function say(msg: string): void {
  console.log(`[test-stack] ${msg}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = process.env;
  const mode = env.TOPK_TEST_STACK === 'external' ? 'external' : (env.TOPK_TEST_PROVIDER ?? 'native');
  const config = loadConfig({
    env: { ...env, TOPK_DATA_DIR: env.TOPK_TEST_DATA_DIR ?? join(ROOT, '.cache', 'test-stack') },
    persistToken: false,
  });
  // docker: the local test images (Docker Hub is out of reach here) under project topk-test,
  // host ports 19092/19042/16379; TOPK_TEST_COMPOSE_FILE names another override file
  const composeFiles = mode === 'docker' ? [env.TOPK_TEST_COMPOSE_FILE ?? join(ROOT, 'test', 'docker', 'compose.test.yml')] : undefined;
  if (mode === 'docker' && !env.TOPK_TEST_COMPOSE_FILE) {
    const { ensureTestImages } = await import('./docker/test-images');
    await ensureTestImages({ log: (m) => say(`[test-images] ${m}`) });
  }
  const manager = new StackManager(config, { composeFiles });
  let started: StackProvider | undefined;
  let endpoints: StackEndpoints;
  const t0 = Date.now();

  if (mode === 'external') {
    const ext = await manager.provider('external');
    say(`TOPK_TEST_STACK=external: kafka ${config.kafkaBrokers.join(',')}, cassandra ${config.cassandraContactPoints.join(',')}, redis ${config.redisUrl}`);
    endpoints = await ext.up({ onProgress: (e) => say(`[${e.service}] ${e.message}`) });
  } else {
    const [k, c, r] = await Promise.all([
      probeKafka(config.kafkaBrokers, 4000),
      probeCassandra(config.cassandraContactPoints, config.cassandraLocalDc, 4000),
      probeRedis(config.redisUrl, 2000),
    ]);
    if (k.ok && c.ok && r.ok) {
      say(`reusing the stack that already answers (kafka ${config.kafkaBrokers.join(',')}, cassandra ${config.cassandraContactPoints.join(',')} v${c.version}, redis ${config.redisUrl} v${r.version}); it stays running`);
      endpoints = (await manager.provider('external')).endpoints();
    } else {
      const provider = await manager.provider(mode);
      say(`starting the ${provider.id} stack (data in ${config.dataDir})`);
      started = provider;
      try {
        endpoints = await provider.up({ onProgress: (e) => say(`[${e.service}] ${e.message}`) });
      } catch (err) {
        await provider.down().catch(() => undefined);
        throw err;
      }
    }
  }
  say(`stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const keyspace = env.TOPK_TEST_KEYSPACE ?? 'topk_test';
  const testEnv: Record<string, string> = {
    TOPK_KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    TOPK_CASSANDRA_CONTACT_POINTS: endpoints.cassandraContactPoints.join(','),
    TOPK_CASSANDRA_LOCAL_DC: endpoints.cassandraLocalDc,
    TOPK_REDIS_URL: endpoints.redisUrl,
    TOPK_TEST_KEYSPACE: keyspace,
  };
  Object.assign(process.env, testEnv);
  project.provide('topkTestEnv', testEnv);

  const t1 = Date.now();
  const r = await migrate({ ...config, ...{ cassandraContactPoints: endpoints.cassandraContactPoints, cassandraLocalDc: endpoints.cassandraLocalDc }, keyspace }, pino({ level: 'warn' }));
  say(`keyspace ${keyspace}: ${r.applied.length ? `applied ${r.applied.join(', ')}` : 'up to date'} (${((Date.now() - t1) / 1000).toFixed(1)} s)`);

  return async () => {
    if (!started) return;
    say(`stopping the ${started.id} stack this run started`);
    await started.down({ onProgress: (e) => say(`[${e.service}] ${e.message}`) });
  };
}
