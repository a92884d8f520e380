import type { Logger } from '../shared/logger';
import type { CrawlService } from './crawl-service';
import { enqueueCrawl } from './crawl-queue';

export interface ReconcilerOptions {
  service: CrawlService;
  log: Logger;
  intervalMs?: number;
  /** a crawl 'running' whose BullMQ job is gone for this long is re-enqueued */
  stuckAfterMs?: number;
}

/**
 * The schedule of record is crawl_schedule (Cassandra); BullMQ executes it.
 * Each tick: enqueue due schedules (claimed with a lightweight transaction so
 * two crawler processes never enqueue the same run twice) and recover crawls
 * whose job vanished (Redis flushed, crash between the row and the job).
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly o: ReconcilerOptions) {}

  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.ticking = this.tick()
        .catch((err: unknown) => this.o.log.error({ err: (err as Error).message }, 'reconciler tick failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.o.intervalMs ?? 5000);
        });
    };
    loop();
  }

  async tick(now = Date.now()): Promise<{ enqueued: number; recovered: number }> {
    const { service, log } = this.o;
    let enqueued = 0;
    let recovered = 0;
    for await (const s of service.store.crawls.allSchedules()) {
      if (this.stopped) break;
      if (!service.sources.has(s.source)) continue;
      if (s.state === 'queued' || s.state === 'running') {
        if (!s.last_crawl_id) continue;
        const crawl = await service.store.crawls.getCrawl(s.last_crawl_id);
        if (crawl && (crawl.state === 'done' || crawl.state === 'failed')) {
          // crashed between finishing the crawl and updating the schedule
          await service.store.crawls.updateSchedule(s.user_id, s.source, { state: crawl.state === 'done' ? 'idle' : 'error' });
          continue;
        }
        const job = await service.queue.getJob(s.last_crawl_id);
        const jobState = job ? await job.getState() : 'missing';
        const age = now - Date.parse(crawl?.started_at ?? crawl?.created_at ?? new Date(now).toISOString());
        if ((jobState === 'missing' || jobState === 'unknown') && (!crawl || crawl.state === 'queued' || age > (this.o.stuckAfterMs ?? 60_000))) {
          if (crawl) {
            await enqueueCrawl(service.queue, { crawl_id: crawl.crawl_id, user_id: s.user_id, source: s.source });
            log.warn({ crawl_id: crawl.crawl_id, user_id: s.user_id, source: s.source }, 're-enqueued a crawl whose job was lost');
          } else {
            await service.store.crawls.updateSchedule(s.user_id, s.source, { state: 'idle' });
          }
          recovered++;
        } else if (jobState === 'failed' && crawl) {
          await service.store.crawls.updateCrawl(crawl.crawl_id, { state: 'failed', error: job?.failedReason || 'the crawl job failed', finished_at: new Date(now).toISOString() });
          await service.store.crawls.updateSchedule(s.user_id, s.source, { state: 'error', next_run_at: new Date(now + s.interval_seconds * 1000) });
          recovered++;
        }
        continue;
      }
      if (s.paused || s.next_run_at === null || Date.parse(s.next_run_at) > now) continue;
      // due: claim it (LWT on state) then create the crawl and its job
      const crawl = await service.createCrawl(s.user_id, s.source, 'schedule', 'queued');
      if (!(await service.store.crawls.claimSchedule(s.user_id, s.source, s.state, crawl.crawl_id))) {
        await service.store.crawls.updateCrawl(crawl.crawl_id, { state: 'failed', error: 'superseded by a concurrent scheduler', finished_at: new Date().toISOString() });
        continue;
      }
      await enqueueCrawl(service.queue, { crawl_id: crawl.crawl_id, user_id: s.user_id, source: s.source });
      enqueued++;
    }
    if (enqueued || recovered) log.info({ enqueued, recovered }, 'reconciler tick');
    return { enqueued, recovered };
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
  }
}
