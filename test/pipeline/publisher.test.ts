import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenPublisher } from '../../engine/crawler/publisher';
import { createKafka } from '../../engine/shared/kafka';
import type { ListenEvent } from '../../engine/shared/listen-event';
import { partitionOfUser } from '../../engine/shared/topics';
import { testConfig, testLog, uid } from '../helpers';

const PARTITIONS = 6;

/** Every message of a topic with its partition, read from the beginning. */
async function readAll(kafka: Kafka, topic: string, expected: number): Promise<Array<{ key: string; n: number; partition: number }>> {
  const consumer = kafka.consumer({ groupId: uid('publisher-read') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: Array<{ key: string; n: number; partition: number }> = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length}/${expected} messages of ${topic} consumed`)), 60_000);
      consumer
        .run({
          eachMessage: ({ message, partition }) => {
            const value = JSON.parse(message.value?.toString() ?? '{}') as { n?: number; listened_at?: number };
            got.push({ key: message.key?.toString() ?? '', n: value.n ?? value.listened_at ?? -1, partition });
            if (got.length === expected) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/**
 * The publisher names each listen's partition itself (one partition per request, so kafkajs cannot
 * skip a partition on a retry): the partition must be the one kafkajs' default partitioner gives
 * the same key, or an existing topic's users would move to other partitions (and other global
 * count shards) on upgrade.
 */
describe('ListenPublisher', () => {
  const config = testConfig();
  const kafka = createKafka(config, testLog, uid('publisher-test'));
  const admin = kafka.admin();
  const ours = uid('publisher-ours');
  const plain = uid('publisher-plain');

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [ours, plain].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })), waitForLeaders: true });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [ours, plain] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('sends each user to the default partitioner’s partition, in order, every listen acknowledged', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `pub-user-${i}`);
    const events: ListenEvent[] = [];
    for (let i = 0; i < 3000; i++) {
      events.push({ v: 1, user_id: users[(i * 7) % users.length]!, source: 'simulator', listened_at: 1_700_000_000_000 + i, song_id: `s${i % 50}`, title: 't', artist: 'a', published_at: Date.now() });
    }
    const publisher = new ListenPublisher(kafka, { listensTopic: ours });
    try {
      // small requests, so one publish makes several requests per partition
      await publisher.publish(events, 100, 64 * 1024);
    } finally {
      await publisher.close();
    }

    // the same keys through a plain kafkajs producer that chooses partitions itself
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: plain, messages: users.map((u, n) => ({ key: u, value: JSON.stringify({ n }) })) });
    await producer.disconnect();

    const offsets = await admin.fetchTopicOffsets(ours);
    expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).toBe(events.length);
    const got = await readAll(kafka, ours, events.length);
    const byDefault = new Map((await readAll(kafka, plain, users.length)).map((m) => [m.key, m.partition]));
    const partitionsUsed = new Set<number>();
    for (const u of users) {
      const mine = got.filter((m) => m.key === u);
      expect(mine.length).toBe(events.filter((e) => e.user_id === u).length);
      expect(new Set(mine.map((m) => m.partition))).toEqual(new Set([partitionOfUser(u, PARTITIONS)]));
      expect(partitionOfUser(u, PARTITIONS)).toBe(byDefault.get(u));
      expect(mine.map((m) => m.n)).toEqual([...mine.map((m) => m.n)].sort((a, b) => a - b));
      partitionsUsed.add(mine[0]!.partition);
    }
    expect(partitionsUsed.size).toBe(PARTITIONS);
  });
});
