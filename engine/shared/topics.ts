import type { Kafka } from 'kafkajs';
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
