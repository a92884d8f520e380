import cassandra from 'cassandra-driver';
import { READ } from '../cassandra-policies';
import type { CassandraClient } from '../cassandra';
import { run } from './rows';
import type { UserDay } from './counts';

/** A write-ahead intent: the (user, day) slices a batch is about to change. */
export interface Intent {
  stream: string;
  partition: number;
  batchId: cassandra.types.TimeUuid;
  slices: UserDay[];
  /** written by a version before cql/0003 (keyed by partition only): recovered, never written */
  legacy: boolean;
  /** when a recovery that could not read every replica kept it (cql/0009); undefined while its chunk is in flight */
  recoveredAt?: Date;
}

const INSERT = 'INSERT INTO aggregator_intents_by_stream (stream, kafka_partition, batch_id, user_days, created_at) VALUES (?, ?, ?, ?, ?)';
const DELETE = 'DELETE FROM aggregator_intents_by_stream WHERE stream = ? AND kafka_partition = ? AND batch_id = ?';
const SELECT = 'SELECT batch_id, user_days, recovered_at FROM aggregator_intents_by_stream WHERE stream = ? AND kafka_partition = ?';
const KEEP = 'INSERT INTO aggregator_intents_by_stream (stream, kafka_partition, batch_id, user_days, recovered_at) VALUES (?, ?, ?, ?, ?)';
const SELECT_LEGACY = 'SELECT batch_id, user_days FROM aggregator_intents WHERE kafka_partition = ?';
const DELETE_LEGACY = 'DELETE FROM aggregator_intents WHERE kafka_partition = ? AND batch_id = ?';

/**
 * On disk a slice is the readable text "user|day" (the day never holds a `|`,
 * so the last one separates them); the same format cql/0001 intents used.
 */
export function sliceText(s: UserDay): string {
  return `${s.user}|${s.day}`;
}

export function parseSliceText(text: string): UserDay {
  const i = text.lastIndexOf('|');
  return { user: text.slice(0, i), day: text.slice(i + 1) };
}

/**
 * Aggregator intents (`aggregator_intents_by_stream`, keyed by the consumer
 * stream and Kafka partition), and the pre-0003 `aggregator_intents` they replaced.
 */
export class IntentStore {
  constructor(private readonly db: CassandraClient) {}

  /** Record the slices a batch of `stream`'s `partition` is about to change. */
  async open(stream: string, partition: number, slices: UserDay[], now: number): Promise<Intent> {
    const batchId = cassandra.types.TimeUuid.now();
    await run(this.db, INSERT, [stream, partition, batchId, slices.map(sliceText), new Date(now)]);
    return { stream, partition, batchId, slices, legacy: false };
  }

  /** The batch is fully applied (or recovered): drop its intent. */
  async close(intent: Intent): Promise<void> {
    if (intent.legacy) await run(this.db, DELETE_LEGACY, [intent.partition, intent.batchId]);
    else await run(this.db, DELETE, [intent.stream, intent.partition, intent.batchId]);
  }

  /**
   * A recovery could not read every replica: keep the intent (cql/0009) so the partition's owner
   * recovers it again once it can. A legacy intent moves to the stream's table with its batch id.
   */
  async keep(intent: Intent, now: number): Promise<void> {
    await run(this.db, KEEP, [intent.stream, intent.partition, intent.batchId, intent.slices.map(sliceText), new Date(now)]);
    if (intent.legacy) await run(this.db, DELETE_LEGACY, [intent.partition, intent.batchId]);
  }

  /** Intents left pending on a partition of a stream, legacy ones included. */
  async pending(stream: string, partition: number): Promise<Intent[]> {
    const [own, legacy] = await Promise.all([
      this.db.execute(SELECT, [stream, partition], READ),
      this.db.execute(SELECT_LEGACY, [partition], READ),
    ]);
    const toIntent = (isLegacy: boolean) => (r: cassandra.types.Row): Intent => ({
      stream,
      partition,
      batchId: r.get('batch_id') as cassandra.types.TimeUuid,
      slices: ((r.get('user_days') as string[] | null) ?? []).map(parseSliceText),
      legacy: isLegacy,
      recoveredAt: isLegacy ? undefined : ((r.get('recovered_at') as Date | null) ?? undefined),
    });
    return [...own.rows.map(toIntent(false)), ...legacy.rows.map(toIntent(true))];
  }
}
