import type { CassandraClient } from '../cassandra';
import { mapLimit } from '../concurrency';
import type { Statement } from './rows';

/**
 * A batch of this store is one partition's statements, which Cassandra applies as ONE mutation.
 * batch_size_warn_threshold (5 KiB) and batch_size_fail_threshold (50 KiB) apply only to batches
 * spanning several mutations (CASSANDRA-10876, Cassandra 3.6+), so a single-partition batch is
 * bounded only by max_mutation_size (half a 32 MiB commit-log segment) and the 16 MiB frame. The
 * split used to be at 4 000 bytes (~20 raw listens): a dense slice then cost several mutations and
 * requests. Now BATCH_MAX statements and BATCH_BYTES of values, far below those limits.
 */
export const BATCH_BYTES = 256 * 1024;
export const BATCH_MAX = 100;

/**
 * Statements grouped by partition (the caller's key), each group split into
 * batches of at most BATCH_MAX statements and about BATCH_BYTES of values:
 * a single-partition unlogged batch is one mutation on one replica set.
 */
export class PartitionBatches {
  private readonly groups = new Map<string, Statement[]>();

  add(partition: string, s: Statement): void {
    let l = this.groups.get(partition);
    if (!l) this.groups.set(partition, (l = []));
    l.push(s);
  }

  batches(): Statement[][] {
    const out: Statement[][] = [];
    for (const qs of this.groups.values()) out.push(...splitBatch(qs));
    return out;
  }

  /** Run every batch, at most `concurrency` in flight. */
  async run(db: CassandraClient, concurrency: number, counter: boolean): Promise<void> {
    await runBatches(db, this.batches(), concurrency, counter);
  }
}

/** Split one partition's statements into batches of bounded size. */
function splitBatch(qs: Statement[]): Statement[][] {
  const out: Statement[][] = [];
  let cur: Statement[] = [];
  let bytes = 0;
  for (const q of qs) {
    let size = 24;
    for (const p of q.params) size += typeof p === 'string' ? p.length : 8;
    if (cur.length > 0 && (cur.length >= BATCH_MAX || bytes + size > BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(q);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Unlogged batches of ONE partition each (a batch of one is sent as a single statement). */
export async function runBatches(db: CassandraClient, batches: Statement[][], concurrency: number, counter: boolean): Promise<void> {
  await mapLimit(batches, concurrency, async (b) => {
    if (b.length === 1) await db.execute(b[0]!.query, b[0]!.params, { prepare: true });
    else await db.batch(b, { prepare: true, logged: false, counter });
  });
}
