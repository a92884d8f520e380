import type { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TopkCache, group } from './cache';
import { ApiMetrics } from './metrics';

/** The in-process tier alone: a Redis that is not connected is skipped (and counted), never awaited. */
function lruOnly(): TopkCache {
  const metrics = new ApiMetrics({ pipelineStats: async () => null, consumerLag: async () => null }, { defaultMetrics: false });
  const redis = { status: 'end' } as unknown as Redis;
  return new TopkCache({ redis, keyspace: 'topk', ttlSeconds: 60, metrics, log: pino({ level: 'silent' }), lruMax: 10 });
}

describe('TopkCache versions', () => {
  it('does not store an answer computed across an invalidation of its group', async () => {
    const c = lruOnly();
    const snap = c.snapshot([group.user('a')]);
    await c.invalidate(['a']);
    await c.set('k', { n: 1 }, [group.user('a')], snap);
    expect(await c.get('k')).toBeNull();
  });

  it('bounds the version map without letting a reset version match an old snapshot', async () => {
    const c = lruOnly();
    await c.invalidate(['a'], { global: false }); // a: version 1
    const snap = c.snapshot([group.user('a')]);
    // other users invalidated until the map is emptied (a's entry with it)
    for (let i = 0; i <= 50_001; i++) await c.invalidate([`u${i}`], { global: false });
    expect((c as unknown as { versions: Map<string, number> }).versions.size).toBeLessThanOrEqual(50_001);
    await c.invalidate(['a'], { global: false }); // a: version 1 again in the new map
    await c.set('k', { n: 1 }, [group.user('a')], snap);
    expect(await c.get('k')).toBeNull();
    // a fresh snapshot stores as usual
    const fresh = c.snapshot([group.user('a')]);
    await c.set('k', { n: 2 }, [group.user('a')], fresh);
    expect((await c.get<{ n: number }>('k'))?.value).toEqual({ n: 2 });
  });
});

describe('TopkCache hit memo', () => {
  it('keeps a slot per cached answer across hits and drops it with the answer', async () => {
    const c = lruOnly();
    await c.set('k', { n: 1 }, [group.user('a')], c.snapshot([group.user('a')]));
    const first = await c.get('k');
    first!.memo.body = '{"n":1}';
    expect((await c.get('k'))?.memo.body).toBe('{"n":1}');
    await c.invalidate(['a'], { global: false });
    await c.set('k', { n: 2 }, [group.user('a')], c.snapshot([group.user('a')]));
    expect((await c.get('k'))?.memo.body).toBeUndefined();
  });
});
