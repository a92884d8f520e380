/**
 * Measures aggregator throughput with and without the dedupe path (README "Exact counts").
 * Run: npx tsx test/pipeline/measure-dedupe.ts [events=50000]
 * Each run: fresh keyspace + topic, N simulator events published first, then one
 * in-process aggregator consumes them; events/s = N / (time to consumer lag 0).
 */
import { Aggregator } from '../../engine/aggregator/aggregator';
import { ListenPublisher } from '../../engine/crawler/publisher';
import { generateListens } from '../../engine/crawler/sources/simulator';
import type { ListenEvent } from '../../engine/shared/listen-event';
import { createHarness, quietLog, waitForLag0 } from './harness';

const N = Number(process.argv[2] ?? 50_000);

async function once(dedupe: boolean): Promise<number> {
  const h = await createHarness({ TOPK_TOPIC_PARTITIONS: '6' });
  const now = Date.now();
  const events: ListenEvent[] = [];
  for (let u = 0; events.length < N; u++) {
    for (const l of generateListens(1, `bench-${u}`, now - 6 * 86_400_000, now, { listensPerDay: 500 })) {
      if (events.length >= N) break;
      events.push({ v: 1, user_id: `bench-${u}`, source: 'simulator', ...l, published_at: now });
    }
  }
  const pub = new ListenPublisher(h.kafka, h.config);
  await pub.publish(events, 5000);
  await pub.close();
  const agg = new Aggregator({ kafka: h.kafka, db: h.db, redis: h.redis, config: h.config, log: quietLog, dedupe, statsKey: h.statsKey });
  const t0 = performance.now();
  await agg.start();
  await waitForLag0(h, 900_000);
  const secs = (performance.now() - t0) / 1000;
  await agg.close();
  await h.close();
  return N / secs;
}

const withDedupe = await once(true);
const without = await once(false);
console.log(JSON.stringify({ events: N, with_dedupe_eps: Math.round(withDedupe), without_dedupe_eps: Math.round(without), cost_pct: Math.round((1 - withDedupe / without) * 100) }));
process.exit(0);
