import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const CRAWL_QUEUE = 'topk-crawl';
export const CRAWL_PREFIX = 'bull';

/**
 * The crawl queue of a deployment. Jobs name crawls of one keyspace, so two
 * deployments sharing a Redis (several apps on one server, tests beside a dev
 * stack) must not take each other's jobs: any keyspace but the default gets
 * its own queue.
 */
export function crawlQueueName(keyspace: string): string {
  return keyspace === 'topk' ? CRAWL_QUEUE : `${CRAWL_QUEUE}-${keyspace}`;
}

export interface CrawlJobData {
  crawl_id: string;
  user_id: string;
  source: string;
}

export function createCrawlQueue(connection: Redis, opts: { name?: string; prefix?: string } = {}): Queue<CrawlJobData> {
  return new Queue<CrawlJobData>(opts.name ?? CRAWL_QUEUE, {
    connection,
    prefix: opts.prefix ?? CRAWL_PREFIX,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    },
  });
}

/** Enqueue a crawl; the job id is the crawl id, so enqueuing twice is a no-op. */
export async function enqueueCrawl(queue: Queue<CrawlJobData>, data: CrawlJobData): Promise<void> {
  await queue.add('crawl', data, { jobId: data.crawl_id });
}
