import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger';
import type { CrawlRunner } from './crawl-runner';
import type { SourceAdapter } from './sources/types';
import { CRAWL_QUEUE, CRAWL_PREFIX } from './crawl-queue';
import type { CrawlJobData } from './crawl-queue';

export interface CrawlWorkerOptions {
  runner: CrawlRunner;
  sources: Map<string, SourceAdapter>;
  /** a connection made with createRedis(..., { forWorker: true }) */
  connection: Redis;
  /** for the per-(user, source) lock */
  redis: Redis;
  log: Logger;
  queueName?: string;
  prefix?: string;
  /** delay before a job that found its source busy is tried again */
  busyDelayMs?: number;
}

/** lifetime of the per-(user, source) crawl lock */
const LOCK_MS = 15 * 60_000;

/**
 * BullMQ worker of `topk-crawl`. Per-source concurrency (each adapter's
 * `concurrency`) and one crawl at a time per (user, source) — a job that
 * finds its slot taken is moved back to delayed, without using an attempt.
 */
export class CrawlWorker {
  private worker: Worker<CrawlJobData> | undefined;
  private readonly running = new Map<string, number>();
  private readonly abort = new AbortController();

  constructor(private readonly o: CrawlWorkerOptions) {}

  start(): void {
    const total = [...this.o.sources.values()].reduce((a, s) => a + s.concurrency, 0) + 1;
    this.worker = new Worker<CrawlJobData>(this.o.queueName ?? CRAWL_QUEUE, (job, token) => this.process(job, token), {
      connection: this.o.connection,
      prefix: this.o.prefix ?? CRAWL_PREFIX,
      concurrency: total,
      lockDuration: 60_000,
      stalledInterval: 30_000,
      maxStalledCount: 3,
    });
    this.worker.on('error', (err) => this.o.log.error({ err: err.message }, 'crawl worker error'));
    this.worker.on('failed', (job, err) => this.o.log.warn({ crawl_id: job?.data.crawl_id, err: err.message, attempts: job?.attemptsMade }, 'crawl job failed'));
  }

  private async process(job: Job<CrawlJobData>, token?: string): Promise<void> {
    const { crawl_id, user_id, source } = job.data;
    const adapter = this.o.sources.get(source);
    const limit = adapter?.concurrency ?? 1;
    const busy = (this.running.get(source) ?? 0) >= limit;
    const lockKey = `topk:crawl-lock:${user_id}:${source}`;
    let locked = !busy && (await this.o.redis.set(lockKey, crawl_id, 'PX', LOCK_MS, 'NX')) === 'OK';
    // a crawler killed mid-crawl leaves the lock of its crawl behind; BullMQ hands that stalled
    // job (same crawl id) to the next worker, which must take the lock over instead of waiting
    // for it to expire (15 minutes of no progress otherwise)
    if (!busy && !locked && (await this.o.redis.get(lockKey)) === crawl_id) {
      locked = (await this.o.redis.set(lockKey, crawl_id, 'PX', LOCK_MS)) === 'OK';
    }
    if (!locked) {
      await job.moveToDelayed(Date.now() + (this.o.busyDelayMs ?? 500) + Math.floor(Math.random() * 250), token);
      throw new DelayedError();
    }
    this.running.set(source, (this.running.get(source) ?? 0) + 1);
    try {
      const outcome = await this.o.runner.run(crawl_id, this.abort.signal);
      if (outcome.ok) return;
      const attempts = job.opts.attempts ?? 1;
      const final = outcome.permanent || job.attemptsMade + 1 >= attempts;
      await this.o.runner.recordFailure(crawl_id, outcome.error, final);
      if (outcome.permanent) throw new UnrecoverableError(outcome.error.message);
      throw outcome.error;
    } finally {
      this.running.set(source, (this.running.get(source) ?? 1) - 1);
      if ((await this.o.redis.get(lockKey)) === crawl_id) await this.o.redis.del(lockKey);
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.worker?.close();
  }
}
