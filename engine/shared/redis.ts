import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Config } from './config';
import type { Logger } from './logger';

/**
 * An ioredis client from Config. `forWorker` sets what BullMQ workers need
 * (`maxRetriesPerRequest: null`). Every client gets an error listener so a
 * Redis restart is logged, not an unhandled 'error' event. Close with `quit()`.
 */
export function createRedis(config: Pick<Config, 'redisUrl'>, log: Logger, opts: { forWorker?: boolean; name?: string } = {}): Redis {
  const options: RedisOptions = {
    lazyConnect: false,
    enableOfflineQueue: true,
    connectionName: opts.name ?? 'topk',
    maxRetriesPerRequest: opts.forWorker ? null : 2,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 5000),
  };
  const client = new Redis(config.redisUrl, options);
  let lastError = '';
  client.on('error', (err: Error) => {
    // ioredis repeats the same error on every reconnect attempt; log each distinct one once
    if (err.message !== lastError) log.warn({ component: 'redis', err: err.message }, 'redis error');
    lastError = err.message;
  });
  client.on('ready', () => {
    lastError = '';
  });
  return client;
}
