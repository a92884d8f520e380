import type { Kafka, Producer } from 'kafkajs';
import type { Config } from '../shared/config';
import { encodeListenEvent } from '../shared/listen-event';
import type { ListenEvent } from '../shared/listen-event';
import type { SourceListen } from './sources/types';

/**
 * Publishes listens to `listens` with an idempotent producer (acks all,
 * one request in flight): `publish` resolves only when Kafka acknowledged
 * every message, so callers may then advance their cursor.
 */
export class ListenPublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly config: Pick<Config, 'listensTopic'>,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
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
   * (the broker's default message.max.bytes is 1 MiB per batch); resolves
   * after all are acknowledged.
   */
  async publish(events: ListenEvent[], maxCount = 2000, maxBytes = 512 * 1024): Promise<void> {
    if (events.length === 0) return;
    await this.connect();
    let batch: Array<{ key: string; value: string }> = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await this.producer.send({ topic: this.config.listensTopic, acks: -1, messages: batch });
      batch = [];
      bytes = 0;
    };
    for (const e of events) {
      const m = encodeListenEvent(e);
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
