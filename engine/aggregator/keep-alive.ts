/**
 * Heartbeats to the consumer group while a batch is being written. kafkajs sends a heartbeat only
 * when the consumer asks for one (between fetches, or `heartbeat()` inside eachBatch), so a chunk
 * whose writes outlast the session timeout (large chunks on a loaded machine, a cold Cassandra
 * node) gets its member dropped from the group: its partitions go to another aggregator while this
 * one is still writing them, and both count the same listens. Every `everyMs` it asks for one; a
 * heartbeat that fails (the group is rebalancing, or the member is gone) marks the batch lost, so
 * the caller takes no further chunk and lets the consumer rejoin.
 */
export class KeepAlive {
  private failed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(heartbeat: () => Promise<void>, everyMs: number, onLost?: (err: unknown) => void) {
    this.timer = setInterval(() => {
      heartbeat().catch((err: unknown) => {
        if (!this.failed) onLost?.(err);
        this.failed = true;
      });
    }, everyMs);
    this.timer.unref();
  }

  /** true once a heartbeat failed: the partition may no longer be ours */
  lost(): boolean {
    return this.failed;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
