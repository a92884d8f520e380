import { Partitioners } from 'kafkajs';
import type { Admin, Kafka, PartitionMetadata } from 'kafkajs';
import type { Config } from './config';
import { waitFor } from './wait-for';

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
        await admin.createTopics({ topics: topics, waitForLeaders: false });
      } catch (err) {
        // a concurrent creator wins the race: fine
        if (!/already exists/i.test((err as Error).message)) throw err;
      }
      await waitForLeaders(admin, topics.map((t) => t.topic));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Until every partition of `topics` has a leader. kafkajs' own wait (`waitForLeaders`) retries
 * only "leader not available", but a KRaft broker that has not yet applied the new topic to its
 * metadata answers "does not host this topic-partition" for a while: on a loaded 3-broker cluster
 * that failed the cluster suite's start. Both answers mean "not yet" here.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `leaders for the new topics ${topics.join(', ')}`,
    async () => {
      try {
        const md = await admin.fetchTopicMetadata({ topics });
        const leaderless = md.topics.flatMap((t) => t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}/${p.partitionId}`));
        if (md.topics.length === topics.length && leaderless.length === 0) return { ok: true };
        return { ok: false, detail: leaderless.length ? `no leader yet for ${leaderless.join(', ')}` : 'topics not in the metadata yet' };
      } catch (err) {
        if (!/LEADER_NOT_AVAILABLE|UNKNOWN_TOPIC_OR_PARTITION/.test((err as { type?: string }).type ?? '')) throw err;
        return { ok: false, detail: (err as Error).message };
      }
    },
    { timeoutMs, intervalMs: 200 },
  );
}

const keyedPartitioner = Partitioners.DefaultPartitioner();

/**
 * Per partition count: the partition list the partitioner is given, and the users' partitions already
 * computed. kafkajs's murmur2 runs on 64-bit `Long` objects, and was 12 % of the publishing process's CPU
 * in `bench ingest` (once for each of 315 000 messages of 1 000 users). ~100 bytes a user; cleared when full.
 */
const partitionings = new Map<number, { metadata: PartitionMetadata[]; users: Map<string, number> }>();
const PARTITION_MEMO_MAX = 20_000;

/**
 * The Kafka partition of a user's listens: the producer's default partitioner (murmur2 of the key,
 * as Java clients do) on the key `user_id` over `partitions` partitions. The publisher names this
 * partition on every message, the global-count shards and the data steps use it.
 */
export function partitionOfUser(userId: string, partitions: number): number {
  let p = partitionings.get(partitions);
  if (!p) {
    const metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    partitionings.set(partitions, (p = { metadata, users: new Map() }));
  }
  const known = p.users.get(userId);
  if (known !== undefined) return known;
  const partition = keyedPartitioner({ topic: 'listens', partitionMetadata: p.metadata, message: { key: userId, value: null } });
  if (p.users.size >= PARTITION_MEMO_MAX) p.users.clear();
  p.users.set(userId, partition);
  return partition;
}
