import { Partitioners } from 'kafkajs';
import type { Kafka, PartitionMetadata } from 'kafkajs';
import type { Config } from './config';

/**
 * Create `listens` (config.topicPartitions) and `listens.dlq` when missing, with the configured
 * replication factor and `min.insync.replicas` (producers send with acks=all). Idempotent.
 */
export async function ensureTopics(kafka: Kafka, config: Pick<Config, 'listensTopic' | 'dlqTopic' | 'topicPartitions'> & Partial<Pick<Config, 'topicReplication' | 'topicMinIsr'>>): Promise<void> {
  const replicationFactor = config.topicReplication ?? 1;
  const configEntries = [{ name: 'min.insync.replicas', value: String(config.topicMinIsr ?? 1) }];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = [
      { topic: config.listensTopic, numPartitions: config.topicPartitions, replicationFactor, configEntries },
      { topic: config.dlqTopic, numPartitions: 1, replicationFactor, configEntries },
    ].filter((t) => !existing.has(t.topic));
    if (topics.length > 0) {
      try {
        await admin.createTopics({ topics: topics, waitForLeaders: true });
      } catch (err) {
        // a concurrent creator wins the race: fine
        if (!/already exists/i.test((err as Error).message)) throw err;
      }
    }
  } finally {
    await admin.disconnect();
  }
}

const keyedPartitioner = Partitioners.DefaultPartitioner();
const partitionLists = new Map<number, PartitionMetadata[]>();

/**
 * The Kafka partition of a user's listens: the producer's default partitioner (murmur2 of the key,
 * as Java clients do) on the key `user_id` over `partitions` partitions. The publisher names this
 * partition on every message, the global-count shards and the data steps use it.
 */
export function partitionOfUser(userId: string, partitions: number): number {
  let partitionMetadata = partitionLists.get(partitions);
  if (!partitionMetadata) {
    partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    partitionLists.set(partitions, partitionMetadata);
  }
  return keyedPartitioner({ topic: 'listens', partitionMetadata, message: { key: userId, value: null } });
}
