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

  /** Publish events in chunks; resolves after all are acknowledged. */
  async publish(events: ListenEvent[], chunk = 2000): Promise<void> {
    if (events.length === 0) return;
    await this.connect();
    for (let i = 0; i < events.length; i += chunk) {
      await this.producer.send({
        topic: this.config.listensTopic,
        acks: -1,
        messages: events.slice(i, i + chunk).map(encodeListenEvent),
      });
    }
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
