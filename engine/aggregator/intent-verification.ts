/**
 * How a recovery read the counters of one intent:
 * - `all`: every node was up and the reads ran at consistency ALL, so they merged every replica's
 *   counter shards — also one that only the node leading a timed-out increment holds. The intent is done.
 * - `node-down`: a node was down, so the reads ran at the client's level (LOCAL_QUORUM) and cannot see
 *   an increment that the dead node applied as counter leader before it died: it comes back with the
 *   node's commit-log replay, after this recovery counted the same plays. The intent is kept.
 * - `all-failed`: every node looked up but a read at ALL failed (a node just died, or timed out); the
 *   recovery ran at the client's level instead. The intent is kept.
 */
export type RecoveryReads = 'all' | 'node-down' | 'all-failed';

/** Whether a recovery that read this way must keep its intent, to recover it again at ALL later. */
export function keepsIntent(reads: RecoveryReads): boolean {
  return reads !== 'all';
}

/** What a recovery of one partition did with its pending intents. */
export interface PartitionRecovery {
  intents: number;
  fixes: number;
  /** intents kept (not read at ALL) */
  kept: number;
  /** some read at ALL failed although every node looked up */
  allFailed: boolean;
}

/** After a read at ALL failed with every node up, wait this long before the partition tries again. */
export const VERIFY_RETRY_MS = 10_000;

/** How often the owner looks for idle partitions whose kept intents are due (the aggregator's timer). */
export const VERIFY_EVERY_MS = 5_000;

/**
 * The partitions whose last recovery kept intents, and when their owner recovers them again: once
 * every node is up (a restarted node answers only after its commit-log replay, so its shards are
 * there to read) — at the start of the partition's next batch, or on the owner's timer if no batch
 * comes — and no sooner than VERIFY_RETRY_MS after a failed attempt at ALL. Partitions without kept
 * intents cost one map lookup per batch.
 */
export class UnverifiedIntents {
  private readonly notBefore = new Map<number, number>();

  constructor(private readonly retryMs = VERIFY_RETRY_MS) {}

  /** Record the outcome of a recovery of `partition` at `now`. */
  recovered(partition: number, r: Pick<PartitionRecovery, 'kept' | 'allFailed'>, now: number): void {
    if (r.kept === 0) this.notBefore.delete(partition);
    else this.notBefore.set(partition, r.allFailed ? now + this.retryMs : now);
  }

  /** Whether the partition's next batch must first recover its kept intents again (`nodesUp` is asked only then). */
  due(partition: number, nodesUp: () => boolean, now: number): boolean {
    const t = this.notBefore.get(partition);
    return t !== undefined && now >= t && nodesUp();
  }

  /** The partitions that are due now (`nodesUp` asked once, and only when some partition waits for it). */
  duePartitions(nodesUp: () => boolean, now: number): number[] {
    const waiting = this.partitions().filter((p) => now >= this.notBefore.get(p)!);
    return waiting.length > 0 && nodesUp() ? waiting : [];
  }

  /** A new assignment: each assigned partition is recovered in full before its first batch anyway. */
  clear(): void {
    this.notBefore.clear();
  }

  /** Partitions with kept intents. */
  partitions(): number[] {
    return [...this.notBefore.keys()].sort((a, b) => a - b);
  }
}
