import cassandra from 'cassandra-driver';
import type { CassandraClient } from '../cassandra';
import { allRows, run } from './rows';

const INSERT = 'INSERT INTO chunks_in_flight (minute, chunk_id) VALUES (?, ?)';
const DELETE = 'DELETE FROM chunks_in_flight WHERE minute = ? AND chunk_id = ?';
const SELECT = 'SELECT chunk_id FROM chunks_in_flight WHERE minute IN ?';

/** How long a chunk's row outlives a process that died mid-chunk (the table's default_time_to_live, cql/0008). */
export const CHUNK_IN_FLIGHT_TTL_MS = 300_000;

const MINUTE_MS = 60_000;
/** Clock skew between an aggregator's host and the API's that the read covers on either side. */
const SKEW_MINUTES = 1;

/** The row a chunk wrote: remove it when its last write is done. */
export interface ChunkInFlight {
  readonly chunkId: string;
  done(): Promise<void>;
}

/**
 * The GDPR barrier (`chunks_in_flight`, cql/0008): the aggregator records each chunk
 * before it checks deleted_users and removes it after its last write; a deletion
 * waits for the chunks in flight when its tombstone was written.
 */
export class ChunksInFlightStore {
  constructor(
    private readonly db: CassandraClient,
    private readonly now: () => number = Date.now,
  ) {}

  async begin(): Promise<ChunkInFlight> {
    const t = this.now();
    const id = cassandra.types.TimeUuid.fromDate(new Date(t));
    const minute = cassandra.types.Long.fromNumber(Math.floor(t / MINUTE_MS));
    await run(this.db, INSERT, [minute, id]);
    return { chunkId: id.toString(), done: () => run(this.db, DELETE, [minute, id]) };
  }

  /** Chunks recorded and not done yet (nor expired), from every minute a live row can be in. */
  open(): Promise<string[]> {
    const now = Math.floor(this.now() / MINUTE_MS);
    const minutes: cassandra.types.Long[] = [];
    for (let m = now - Math.ceil(CHUNK_IN_FLIGHT_TTL_MS / MINUTE_MS) - SKEW_MINUTES; m <= now + SKEW_MINUTES; m++) minutes.push(cassandra.types.Long.fromNumber(m));
    return allRows(this.db, SELECT, [minutes], (r) => String(r.get('chunk_id')));
  }
}
