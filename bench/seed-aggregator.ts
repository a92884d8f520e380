/**
 * The seed's aggregator design, for `topk bench ingest --baseline` only (never
 * shipped): a kafkajs consumer that, for every message, writes the raw listen
 * and increments the user's and the global daily counter by one — no
 * pre-aggregation, no dedupe, no intents. Offsets are auto-committed.
 * Config from the environment, like the real aggregator; logs `ready`.
 */
import { loadConfig } from '../engine/shared/config';
import { createLogger } from '../engine/shared/logger';
import { runProcess, stopOnSignals } from '../engine/shared/process-lifecycle';
import { createKafka } from '../engine/shared/kafka';
import { createCassandra } from '../engine/shared/cassandra';
import { DAY_MS, utcDay } from '../engine/shared/listen-identity';
import { createStore } from '../engine/shared/store/store';
import type { NewListen } from '../engine/shared/store/listens';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('seed-aggregator', { level: config.logLevel });
  const kafka = createKafka(config, log, 'topk-seed-aggregator');
  const db = createCassandra(config, log);
  await db.connect();
  const { listens, counts } = createStore(db);
  const consumer = kafka.consumer({ groupId: config.consumerGroup });
  consumer.on(consumer.events.GROUP_JOIN, () => log.info('partitions assigned'));
  await consumer.connect();
  await consumer.subscribe({ topic: config.listensTopic, fromBeginning: true });
  const retentionMs = config.retentionDays * DAY_MS;
  await consumer.run({
    autoCommitInterval: 1000,
    partitionsConsumedConcurrently: Math.min(3, config.topicPartitions),
    eachMessage: async ({ message, partition }) => {
      let e: NewListen;
      try {
        e = JSON.parse(message.value?.toString('utf8') ?? '') as NewListen;
      } catch {
        return;
      }
      const day = utcDay(e.listened_at);
      const ttl = Math.max(1, Math.ceil((e.listened_at + retentionMs - Date.now()) / 1000));
      await listens.insert(e, day, ttl);
      await counts.addUser(e.user_id, day, e.song_id, 1);
      await counts.addGlobal(day, partition, e.song_id, 1);
    },
  });
  log.info({ group: config.consumerGroup, topic: config.listensTopic }, 'ready');
  stopOnSignals(log, async () => {
    await consumer.disconnect().catch(() => undefined);
    await db.shutdown().catch(() => undefined);
  });
}

runProcess('seed-aggregator', main);
