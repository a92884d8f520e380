/**
 * What the API needs from the crawl/source service (engine/crawler/crawl-service.ts,
 * INTERFACES.md). Declared here structurally so the API depends on the
 * agreed interface, not on the implementation module.
 */
export type CrawlState = 'queued' | 'running' | 'done' | 'failed';

export interface CrawlRecord {
  crawl_id: string;
  user_id: string;
  source: string;
  trigger: 'manual' | 'schedule' | 'retry' | 'import';
  state: CrawlState;
  listens_fetched: number;
  listens_published: number;
  pages: number;
  error?: string;
  created_at: string;
  started_at?: string;
  finished_at?: string;
}

export interface ScheduleRecord {
  user_id: string;
  source: string;
  interval_seconds: number;
  paused: boolean;
  next_run_at: string | null;
  state: string;
  last_run_at?: string;
  last_crawl_id?: string;
  last_error?: string;
}

export interface SourceRecord {
  user_id: string;
  source: string;
  config: Record<string, unknown>;
  created_at: string;
  schedule: ScheduleRecord;
}

export interface ImportReport {
  crawl_id: string;
  format: 'listenbrainz-json' | 'listenbrainz-jsonl' | 'spotify';
  lines_read: number;
  listens_accepted: number;
  skipped: number;
  skipped_reasons: Record<string, number>;
  state: CrawlState;
  error?: string;
}

export interface CrawlServicePort {
  connectSource(userId: string, source: string, body: unknown): Promise<{ created: boolean; source: SourceRecord }>;
  listSources(userId: string): Promise<SourceRecord[]>;
  removeSource(userId: string, source: string): Promise<boolean>;
  setSchedule(userId: string, source: string, patch: { interval_seconds?: number; paused?: boolean }): Promise<ScheduleRecord | null>;
  requestCrawl(userId: string, source: string, trigger?: 'manual' | 'retry'): Promise<CrawlRecord>;
  getCrawl(crawlId: string): Promise<CrawlRecord | null>;
  listCrawls(userId: string, source?: string, limit?: number): Promise<CrawlRecord[]>;
  importFile(userId: string, stream: NodeJS.ReadableStream, filename?: string): Promise<ImportReport>;
  deleteUserData(userId: string): Promise<void>;
}

/** A SourceError of the crawl service (bad source body, unknown source, source not connected…). */
export function isSourceError(err: unknown): err is Error & { field: string; code: string } {
  return (
    err instanceof Error &&
    (err.name === 'SourceError' || err.constructor.name === 'SourceError') &&
    typeof (err as { field?: unknown }).field === 'string' &&
    typeof (err as { code?: unknown }).code === 'string'
  );
}
