import cassandra from 'cassandra-driver';
import type { CassandraClient } from '../cassandra';
import { mapLimit } from '../concurrency';
import { allRows, run } from './rows';

const INSERT = 'INSERT INTO chunks_in_flight (user_id, chunk_id) VALUES (?, ?)';
const DELETE = 'DELETE FROM chunks_in_flight WHERE user_id = ? AND chunk_id = ?';
const SELECT = 'SELECT chunk_id FROM chunks_in_flight WHERE user_id = ?';

/** How long a chunk's rows outlive a process that died mid-chunk (the table's default_time_to_live, cql/0008). */
export const CHUNK_IN_FLIGHT_TTL_MS = 300_000;

/** The rows a chunk wrote: remove them when its last write is done. */
export interface ChunkInFlight {
  readonly chunkId: string;
  done(): Promise<void>;
}

/**
 * The GDPR barrier (`chunks_in_flight`, cql/0008): the aggregator records a chunk
 * per user before it checks deleted_users and removes it after its last write;
 * a deletion waits for the chunks recorded when its tombstone was written.
 */
export class ChunksInFlightStore {
  constructor(private readonly db: CassandraClient) {}

  async begin(users: Iterable<string>, concurrency = 32): Promise<ChunkInFlight> {
    const id = cassandra.types.TimeUuid.now();
    const all = [...new Set(users)];
    await mapLimit(all, concurrency, (u) => run(this.db, INSERT, [u, id]));
    return {
      chunkId: id.toString(),
      done: async () => void (await mapLimit(all, concurrency, (u) => run(this.db, DELETE, [u, id]))),
    };
  }

  /** Chunks recorded for the user and not done yet (nor expired). */
  of(user: string): Promise<string[]> {
    return allRows(this.db, SELECT, [user], (r) => String(r.get('chunk_id')));
  }
}
