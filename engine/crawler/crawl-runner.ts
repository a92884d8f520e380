import type { Redis } from 'ioredis';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { SecretBox } from '../shared/crypto';
import { DAY_MS } from '../shared/listen-identity';
import { incrStats, redisNames } from '../shared/stats';
import type { Store } from '../shared/store/store';
import { ListenPublisher } from './publisher';
import { PermanentSourceError } from './sources/types';
import type { SourceAdapter } from './sources/types';

export interface CrawlRunnerDeps {
  store: Pick<Store, 'crawls' | 'sources'>;
  publisher: ListenPublisher;
  sources: Map<string, SourceAdapter>;
  secrets: SecretBox;
  redis: Redis;
  config: Config;
  log: Logger;
  statsKey?: string;
}

/** The look-back window of every crawl (ms): TOPK_CRAWL_LOOKBACK_HOURS, by default the whole retention window. */
export function lookbackMs(config: Pick<Config, 'crawlLookbackHours' | 'retentionDays'>): number {
  return config.crawlLookbackHours !== undefined ? config.crawlLookbackHours * 3_600_000 : config.retentionDays * DAY_MS;
}

export type CrawlOutcome = { ok: true } | { ok: false; permanent: boolean; error: Error };

/**
 * Runs one crawl: pages from the source → Kafka (acks all) → cursor saved
 * only after the page's listens were acknowledged → progress on the crawl
 * row → schedule updated at the end. Final failure handling is the caller's
 * (it knows whether BullMQ will retry).
 */
export class CrawlRunner {
  constructor(private readonly d: CrawlRunnerDeps) {}

  async run(crawlId: string, signal: AbortSignal): Promise<CrawlOutcome> {
    const { store, log } = this.d;
    const crawl = await store.crawls.getCrawl(crawlId);
    if (!crawl) return { ok: false, permanent: true, error: new Error(`crawl ${crawlId} does not exist`) };
    if (crawl.state === 'done' || crawl.state === 'failed') return { ok: true };
    const adapter = this.d.sources.get(crawl.source);
    const source = await store.sources.getSource(crawl.user_id, crawl.source);
    if (!adapter || !source) {
      return { ok: false, permanent: true, error: new PermanentSourceError(`source ${crawl.source} is not connected`, 'not_connected') };
    }
    const schedule = await store.crawls.getSchedule(crawl.user_id, crawl.source);
    const startedAt = new Date().toISOString();
    await store.crawls.updateCrawl(crawlId, { state: 'running', started_at: startedAt });
    await store.crawls.updateSchedule(crawl.user_id, crawl.source, { state: 'running' });
    let fetched = crawl.listens_fetched;
    let published = crawl.listens_published;
    let pages = crawl.pages;
    let lookbackPages = crawl.lookback_pages ?? 0;
    try {
      const ctx = {
        userId: crawl.user_id,
        config: source.config,
        credentials: source.credentials ? this.d.secrets.decryptString(source.credentials) : undefined,
        cursor: schedule?.cursor ?? null,
        now: Date.now(),
        retentionDays: this.d.config.retentionDays,
        lookbackMs: lookbackMs(this.d.config),
        signal,
        log: log.child({ crawl_id: crawlId, user_id: crawl.user_id, source: crawl.source }),
      };
      for await (const page of adapter.crawl(ctx)) {
        if (signal.aborted) throw new Error('crawl aborted (shutdown)');
        const now = Date.now();
        const events = page.listens.map((l) => ListenPublisher.toEvent(crawl.user_id, crawl.source, l, crawlId, now));
        await this.d.publisher.publish(events);
        // every listen of this page (and of the pages before it) is acknowledged: the cursor may move
        if (page.cursor !== undefined) await store.crawls.updateSchedule(crawl.user_id, crawl.source, { cursor: page.cursor });
        fetched += page.listens.length;
        published += events.length;
        pages++;
        if (page.lookback) lookbackPages++;
        await store.crawls.updateCrawl(crawlId, { listens_fetched: fetched, listens_published: published, pages, lookback_pages: lookbackPages });
        await incrStats(this.d.redis, { listens_fetched: page.listens.length }, this.d.statsKey ?? redisNames(this.d.config.keyspace).stats);
      }
      const finished = new Date();
      await store.crawls.updateCrawl(crawlId, { state: 'done', finished_at: finished.toISOString(), error: undefined });
      await this.finishSchedule(crawl.user_id, crawl.source, crawlId, finished, null);
      await incrStats(this.d.redis, { crawls_done: 1 }, this.d.statsKey ?? redisNames(this.d.config.keyspace).stats);
      log.info({ crawl_id: crawlId, user_id: crawl.user_id, source: crawl.source, fetched, published, pages, lookback_pages: lookbackPages }, 'crawl done');
      return { ok: true };
    } catch (err) {
      const e = err as Error;
      log.warn({ crawl_id: crawlId, err: e.message }, 'crawl attempt failed');
      return { ok: false, permanent: err instanceof PermanentSourceError, error: e };
    }
  }

  /** Record a failure: `final` marks the crawl failed, else queued again for BullMQ's retry. */
  async recordFailure(crawlId: string, error: Error, final: boolean): Promise<void> {
    const { store } = this.d;
    // some client errors carry an empty message; the crawl record must still say what went wrong
    if (!error.message) error = new Error(error.name && error.name !== 'Error' ? error.name : String(error) || 'unknown error');
    const crawl = await store.crawls.getCrawl(crawlId);
    if (!crawl) return;
    if (final) {
      const finished = new Date();
      await store.crawls.updateCrawl(crawlId, { state: 'failed', error: error.message, finished_at: finished.toISOString() });
      await this.finishSchedule(crawl.user_id, crawl.source, crawlId, finished, error.message);
      await incrStats(this.d.redis, { crawls_failed: 1 }, this.d.statsKey ?? redisNames(this.d.config.keyspace).stats);
    } else {
      await store.crawls.updateCrawl(crawlId, { state: 'queued', error: error.message });
      await store.crawls.updateSchedule(crawl.user_id, crawl.source, { state: 'queued', last_error: error.message });
    }
  }

  private async finishSchedule(userId: string, source: string, crawlId: string, at: Date, error: string | null): Promise<void> {
    const s = await this.d.store.crawls.getSchedule(userId, source);
    if (!s) return;
    const interval = s.interval_seconds > 0 ? s.interval_seconds : 3600;
    await this.d.store.crawls.updateSchedule(userId, source, {
      state: error ? 'error' : 'idle',
      last_run_at: at,
      last_crawl_id: crawlId,
      last_error: error,
      next_run_at: new Date(at.getTime() + interval * 1000),
    });
  }
}
