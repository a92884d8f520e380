import { afterAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../engine/shared/kafka';
import { testConfig, testLog, uid } from '../helpers';

/** Produce and consume on a fresh topic through our own kafkajs factory, against the real broker. */
describe('Kafka through createKafka', () => {
  const config = testConfig();
  const kafka = createKafka(config, testLog, uid('topk-test'));
  const admin = kafka.admin();
  const producer = kafka.producer();
  const topic = uid('stack-test');
  const consumer = kafka.consumer({ groupId: uid('stack-test-group') });

  afterAll(async () => {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('produces to and consumes from a fresh topic', async () => {
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);

    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `user-${i % 5}`, value: JSON.stringify({ n: i }) }));
    await producer.send({ topic, messages: sent });

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: { key: string; n: number; partition: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length}/30 messages consumed`)), 60_000);
      consumer
        .run({
          eachMessage: ({ message, partition }) => {
            got.push({ key: message.key?.toString() ?? '', n: (JSON.parse(message.value?.toString() ?? '{}') as { n: number }).n, partition });
            if (got.length === sent.length) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
    expect(got.map((m) => m.n).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
    // same key → same partition, in order
    for (const key of new Set(got.map((m) => m.key))) {
      const ofKey = got.filter((m) => m.key === key);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      expect(ofKey.map((m) => m.n)).toEqual([...ofKey.map((m) => m.n)].sort((a, b) => a - b));
    }
    console.log(`[kafka] produced and consumed ${got.length} messages on ${topic} via ${config.kafkaBrokers.join(',')}`);
  });
});
