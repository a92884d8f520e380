import { Partitioners } from 'kafkajs';
import type { ICustomPartitioner, Kafka, Producer } from 'kafkajs';
import type { Config } from '../shared/config';
import { encodeListenEvent } from '../shared/listen-event';
import type { ListenEvent } from '../shared/listen-event';
import { partitionOfUser } from '../shared/topics';
import type { SourceListen } from './sources/types';

/**
 * The partition a message names, else kafkajs's default choice (`publishRaw`). kafkajs asks the
 * partitioner for every message of a send, and its default one filters the partition list each time
 * before it looks at the named partition.
 */
const namedPartitionFirst: ICustomPartitioner = () => {
  const byKey = Partitioners.DefaultPartitioner();
  return (args) => args.message.partition ?? byKey(args);
};

/** A listen as sent: keyed by user, its partition named. */
type KeyedMessage = { key: string; value: string; partition: number };

/**
 * Publishes listens to `listens` with an idempotent producer (acks all,
 * one request in flight): `publish` resolves only when Kafka acknowledged
 * every message, so callers may then advance their cursor.
 *
 * Each request names one partition (the default partitioner's choice for the
 * user, computed here) and its answer must acknowledge that partition. Within
 * one `send`, kafkajs 2.2 keeps the answers of the brokers that succeeded and
 * on a retry sends only to brokers without an answer, grouping partitions by
 * their leaders anew: a failed partition whose new leader had already answered
 * for other partitions is never sent again, and `send` resolves (reported as
 * kafkajs issue 1303, "losing data when one node of the cluster is lost"). The
 * cluster fault suite lost 580 acknowledged listens of one partition that way
 * around a broker's death and return. With one partition per request no other
 * partition's answer can stand in for it.
 */
export class ListenPublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;
  private partitions: Promise<number> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: Pick<Config, 'listensTopic'>,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: namedPartitionFirst });
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  /** Partitions of the listens topic, read once (again after a failed publish). */
  private partitionCount(): Promise<number> {
    this.partitions ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        const md = await admin.fetchTopicMetadata({ topics: [this.config.listensTopic] });
        const n = md.topics[0]?.partitions.length ?? 0;
        if (n === 0) throw new Error(`topic ${this.config.listensTopic} has no partitions`);
        return n;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    })().catch((err: unknown) => {
      this.partitions = undefined;
      throw err;
    });
    return this.partitions;
  }

  static toEvent(userId: string, source: string, l: SourceListen, crawlId: string | undefined, now = Date.now()): ListenEvent {
    const e: ListenEvent = {
      v: 1,
      user_id: userId,
      source,
      listened_at: l.listened_at,
      song_id: l.song_id,
      title: l.title,
      artist: l.artist,
      published_at: now,
    };
    if (l.album) e.album = l.album;
    if (crawlId) e.crawl_id = crawlId;
    return e;
  }

  /**
   * Publish events in requests of at most `maxCount` messages and ~`maxBytes`
   * (the broker's default message.max.bytes is 1 MiB per batch), one partition
   * per request, the partitions side by side; resolves after all are
   * acknowledged, rejects (after every request settled) if any was not.
   */
  async publish(events: ListenEvent[], maxCount = 2000, maxBytes = 512 * 1024): Promise<void> {
    if (events.length === 0) return;
    await this.connect();
    const partitions = await this.partitionCount();
    const byPartition = new Map<number, KeyedMessage[]>();
    for (const e of events) {
      const m = encodeListenEvent(e);
      const partition = partitionOfUser(m.key, partitions);
      let list = byPartition.get(partition);
      if (!list) byPartition.set(partition, (list = []));
      list.push({ ...m, partition });
    }
    const settled = await Promise.allSettled([...byPartition].map(([partition, messages]) => this.sendToPartition(partition, messages, maxCount, maxBytes)));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      this.partitions = undefined; // the topic may have changed
      throw failed.reason;
    }
  }

  private async sendToPartition(partition: number, messages: KeyedMessage[], maxCount: number, maxBytes: number): Promise<void> {
    let batch: KeyedMessage[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const acks = await this.producer.send({ topic: this.config.listensTopic, acks: -1, messages: batch });
      if (!acks.some((a) => a.partition === partition && a.errorCode === 0)) {
        throw new Error(`Kafka did not acknowledge ${batch.length} listens sent to partition ${partition} of ${this.config.listensTopic}`);
      }
      batch = [];
      bytes = 0;
    };
    for (const m of messages) {
      const size = Buffer.byteLength(m.value) + Buffer.byteLength(m.key) + 32;
      if (batch.length > 0 && (batch.length >= maxCount || bytes + size > maxBytes)) await flush();
      batch.push(m);
      bytes += size;
    }
    await flush();
  }

  /** Publish raw key/value pairs (tests, tools). */
  async publishRaw(messages: Array<{ key: string | null; value: string | Buffer | null }>): Promise<void> {
    await this.connect();
    await this.producer.send({ topic: this.config.listensTopic, acks: -1, messages });
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect().catch(() => undefined);
    this.connected = undefined;
  }
}
