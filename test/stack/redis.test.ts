import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../engine/shared/redis';
import { testConfig, testLog, uid } from '../helpers';

/** A round trip through our own ioredis factory against the real server. */
describe('Redis through createRedis', () => {
  const config = testConfig();
  const redis = createRedis(config, testLog, { name: 'stack-test' });
  afterAll(async () => {
    await redis.quit();
  });

  it('sets, reads, expires and deletes a key', async () => {
    expect(await redis.ping()).toBe('PONG');
    const key = uid('topk-test');
    expect(await redis.set(key, 'heavy rotation', 'EX', 60)).toBe('OK');
    expect(await redis.get(key)).toBe('heavy rotation');
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis.del(key)).toBe(1);
    expect(await redis.get(key)).toBeNull();
    const info = await redis.info('server');
    console.log(`[redis] round trip ok at ${config.redisUrl} (redis_version ${/redis_version:(\S+)/.exec(info)?.[1]})`);
  });
});
