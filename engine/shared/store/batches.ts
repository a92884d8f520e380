import type { CassandraClient } from '../cassandra';
import { mapLimit } from '../concurrency';
import type { Statement } from './rows';

/**
 * A batch of this store is one partition's statements, which Cassandra applies as ONE mutation
 * (small ones then share a request: PACK_PARTITIONS below).
 * batch_size_warn_threshold (5 KiB) and batch_size_fail_threshold (50 KiB) apply only to batches
 * spanning several mutations (CASSANDRA-10876, Cassandra 3.6+), so a single-partition batch is
 * bounded only by max_mutation_size (half a 32 MiB commit-log segment) and the 16 MiB frame. The
 * split used to be at 4 000 bytes (~20 raw listens): a dense slice then cost several mutations and
 * requests. Now BATCH_MAX statements and BATCH_BYTES of values, far below those limits.
 */
export const BATCH_BYTES = 256 * 1024;
export const BATCH_MAX = 100;

/**
 * Several small partitions' batches go in one request. A request costs Cassandra ~120 µs and the
 * driver ~50 µs whatever it carries, more than a dozen counter cells do (a client loop against one
 * node, eighteenth session in BENCHMARKS.md), and most partitions of a chunk are small: a user's day
 * total, a day's index rows, a slice cut by a chunk's end. Such a request stays below the
 * thresholds Cassandra warns at for a batch that spans partitions: more than 10 partitions
 * (unlogged_batch_across_partitions_warn_threshold) or 5 KiB of data (batch_size_warn_threshold;
 * PACK_BYTES is our own estimate of the values, which runs ~1.5x under Cassandra's count for
 * counter cells). Each partition is still one mutation; a request that fails leaves any subset of
 * them applied, as separate requests would.
 */
export const PACK_PARTITIONS = 10;
export const PACK_BYTES = 3000;

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

  /** Each partition's statements in batches of one partition. */
  batches(): Statement[][] {
    return this.sized().map((b) => b.statements);
  }

  /** The requests to send: a large partition batch alone, small ones packed together (PACK_PARTITIONS, PACK_BYTES). */
  requests(): Statement[][] {
    const out: Statement[][] = [];
    let pack: Statement[] = [];
    let partitions = 0;
    let bytes = 0;
    for (const b of this.sized()) {
      if (b.bytes > PACK_BYTES) {
        out.push(b.statements);
        continue;
      }
      if (partitions >= PACK_PARTITIONS || bytes + b.bytes > PACK_BYTES) {
        out.push(pack);
        pack = [];
        partitions = 0;
        bytes = 0;
      }
      pack.push(...b.statements);
      partitions++;
      bytes += b.bytes;
    }
    if (pack.length > 0) out.push(pack);
    return out;
  }

  /** Send every request, at most `concurrency` in flight. */
  async run(db: CassandraClient, concurrency: number, counter: boolean): Promise<void> {
    await runBatches(db, this.requests(), concurrency, counter);
  }

  private sized(): SizedBatch[] {
    const out: SizedBatch[] = [];
    for (const qs of this.groups.values()) out.push(...splitBatch(qs));
    return out;
  }
}

interface SizedBatch {
  statements: Statement[];
  /** our estimate of its values' bytes */
  bytes: number;
}

/** Split one partition's statements into batches of bounded size. */
function splitBatch(qs: Statement[]): SizedBatch[] {
  const out: SizedBatch[] = [];
  let cur: Statement[] = [];
  let bytes = 0;
  for (const q of qs) {
    let size = 24;
    for (const p of q.params) size += valueBytes(p);
    if (cur.length > 0 && (cur.length >= BATCH_MAX || bytes + size > BATCH_BYTES)) {
      out.push({ statements: cur, bytes });
      cur = [];
      bytes = 0;
    }
    cur.push(q);
    bytes += size;
  }
  if (cur.length > 0) out.push({ statements: cur, bytes });
  return out;
}

/** Our estimate of a bound value's bytes; a list (`song_id IN ?`) stands for a counter cell (~80 bytes in Cassandra's count) per element. */
function valueBytes(p: unknown): number {
  if (typeof p === 'string') return p.length;
  if (Array.isArray(p)) return p.reduce((n: number, x: unknown) => n + 60 + valueBytes(x), 0);
  return 8;
}

/** Unlogged batches (a batch of one is sent as a single statement). */
export async function runBatches(db: CassandraClient, batches: Statement[][], concurrency: number, counter: boolean): Promise<void> {
  await mapLimit(batches, concurrency, async (b) => {
    if (b.length === 1) await db.execute(b[0]!.query, b[0]!.params, { prepare: true });
    else await db.batch(b, { prepare: true, logged: false, counter });
  });
}
