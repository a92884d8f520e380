/**
 * What the API needs from the crawl/source service (engine/crawler/crawl-service.ts,
 * INTERFACES.md): the service's methods as an interface, over the crawler's own
 * record types (one definition of each).
 */
export type { CrawlRecord, CrawlState, ScheduleRecord } from '../shared/store/crawls';
export type { ImportOptions, ImportReport, SourceRecord } from '../crawler/crawl-service';
import type { CrawlRecord, ScheduleRecord } from '../shared/store/crawls';
import type { ImportOptions, ImportReport, SourceRecord } from '../crawler/crawl-service';

export interface CrawlServicePort {
  connectSource(userId: string, source: string, body: unknown): Promise<{ created: boolean; source: SourceRecord }>;
  listSources(userId: string): Promise<SourceRecord[]>;
  removeSource(userId: string, source: string): Promise<boolean>;
  setSchedule(userId: string, source: string, patch: { interval_seconds?: number; paused?: boolean }): Promise<ScheduleRecord | null>;
  requestCrawl(userId: string, source: string, trigger?: 'manual' | 'retry'): Promise<CrawlRecord>;
  getCrawl(crawlId: string): Promise<CrawlRecord | null>;
  listCrawls(userId: string, source?: string, limit?: number): Promise<CrawlRecord[]>;
  importFile(userId: string, input: NodeJS.ReadableStream | { path: string }, options?: string | ImportOptions): Promise<ImportReport>;
  deleteUserData(userId: string): Promise<void>;
}
