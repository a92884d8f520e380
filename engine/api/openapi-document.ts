import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createCassandra } from '../shared/cassandra';
import { loadConfig } from '../shared/config';
import { createKafka } from '../shared/kafka';
import { createApiApp } from './api-app';
import { ChangeFeed } from './change-feed';
import { createApiContext } from './server';

/**
 * The engine API's OpenAPI document as `GET /openapi.json` serves it with the
 * default configuration, built from the same app without a running stack:
 * the clients are created but never connect (nothing is requested before the
 * app closes). The wire types are generated from it (scripts/wire-types.ts).
 */
export async function offlineOpenApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'topk-openapi-'));
  const config = loadConfig({ env: { TOPK_DATA_DIR: dataDir, TOPK_API_TOKEN: 'offline' }, persistToken: false });
  const log = pino({ level: 'silent' });
  const cassandra = createCassandra(config, log);
  const redis = new Redis(config.redisUrl, { lazyConnect: true });
  const ctx = createApiContext({ config, log, cassandra, redis, kafka: createKafka(config, log) });
  const app = await createApiApp(ctx, { changes: new ChangeFeed() });
  try {
    await app.ready();
    return ctx.openapi.document();
  } finally {
    await app.close();
    redis.disconnect();
    await cassandra.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
