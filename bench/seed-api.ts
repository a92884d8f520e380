/**
 * The seed's Top-K service design, for `topk bench query --baseline` only
 * (never shipped): Fastify, `GET /users/:user_id/topk?days&k`, answers cached in
 * Redis only with a fixed TTL, and on a miss the day partitions read one after
 * another, summed, sorted, titles looked up. `?cache=bypass` skips the cache.
 * Config from the environment (port TOPK_API_PORT); the answer cache's key prefix is the first
 * argument (default `topk:seedcache:`), one per benchmark run; logs `ready`.
 */
import Fastify from 'fastify';
import { loadConfig } from '../engine/shared/config';
import { createLogger } from '../engine/shared/logger';
import { runProcess, stopOnSignals } from '../engine/shared/process-lifecycle';
import { createCassandra } from '../engine/shared/cassandra';
import { createRedis } from '../engine/shared/redis';
import { lastDays } from '../engine/shared/listen-identity';
import { createStore } from '../engine/shared/store/store';

const TTL_SECONDS = 60;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('seed-api', { level: config.logLevel });
  const db = createCassandra(config, log);
  const redis = createRedis(config, log, { name: 'topk-seed-api' });
  await db.connect();
  const store = createStore(db);
  const prefix = process.argv[2] ?? 'topk:seedcache:';
  const app = Fastify({ logger: false });
  app.get<{ Params: { user_id: string }; Querystring: { days?: string; k?: string; cache?: string } }>('/users/:user_id/topk', async (req, reply) => {
    if (req.headers.authorization !== `Bearer ${config.apiToken}`) return reply.code(401).send({ error: { code: 'unauthorized', message: 'bearer token required' } });
    const userId = req.params.user_id;
    const days = Number(req.query.days ?? 7);
    const k = Number(req.query.k ?? 10);
    const key = `${prefix}${userId}:${days}:${k}`;
    const bypass = req.query.cache === 'bypass';
    if (!bypass) {
      const hit = await redis.get(key);
      if (hit) {
        reply.header('X-Cache', 'HIT').type('application/json');
        return hit;
      }
    }
    const counts = new Map<string, number>();
    for (const day of lastDays(days)) {
      for (const [song, n] of await store.counts.userDay(userId, day)) counts.set(song, (counts.get(song) ?? 0) + n);
    }
    const top = [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, k);
    const results = [];
    for (const [song_id, listen_count] of top) {
      const t = await store.tracks.one(song_id);
      results.push({ song_id, listen_count, rank: results.length + 1, title: t?.title ?? null, artist: t?.artist ?? null });
    }
    const body = JSON.stringify({ user_id: userId, days, k, results, cached: false });
    if (!bypass) await redis.set(key, body, 'EX', TTL_SECONDS);
    reply.header('X-Cache', 'MISS').type('application/json');
    return body;
  });
  await app.listen({ host: '127.0.0.1', port: config.apiPort });
  log.info({ port: config.apiPort }, 'ready');
  stopOnSignals(log, async () => {
    await app.close().catch(() => undefined);
    await db.shutdown().catch(() => undefined);
    redis.disconnect();
  });
}

runProcess('seed-api', main);
