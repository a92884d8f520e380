import { randomUUID } from 'node:crypto';
import type { JobType, Queue } from 'bullmq';
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { CassandraClient } from '../shared/cassandra';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { SecretBox } from '../shared/crypto';
import { DAY_MS } from '../shared/listen-identity';
import type { ListenEvent } from '../shared/listen-event';
import { incrStats, redisNames } from '../shared/stats';
import { publicSchedule } from '../shared/store/crawls';
import type { CrawlRecord, CrawlState, ScheduleRecord } from '../shared/store/crawls';
import { createStore } from '../shared/store/store';
import type { Store } from '../shared/store/store';
import { createCrawlQueue, crawlQueueName, enqueueCrawl } from './crawl-queue';
import type { CrawlJobData } from './crawl-queue';
import { ListenPublisher } from './publisher';
import { createSources } from './sources/registry';
import { HttpError } from '../shared/http-error';
import { ConfigValidationError } from './sources/types';
import type { SourceAdapter } from './sources/types';
import { HistoryFile } from './import/history-file';
import { importSource, UnsupportedFormatError } from './import/import-reader';
import type { ImportFormat, ImportItem } from './import/import-reader';

export type { CrawlRecord, CrawlState, ScheduleRecord } from '../shared/store/crawls';

export interface SourceRecord {
  user_id: string;
  source: string;
  config: Record<string, unknown>;
  created_at: string;
  schedule: ScheduleRecord;
}

export interface ImportReport {
  crawl_id: string;
  format: ImportFormat;
  lines_read: number;
  listens_accepted: number;
  skipped: number;
  skipped_reasons: Record<string, number>;
  state: CrawlState;
  error?: string;
  /** zip entries read as history */
  files?: string[];
}

export interface ImportOptions {
  filename?: string;
  /** size of the upload when known (progress) */
  size?: number;
  /** IANA time zone for .scrobbler.log files marked #TZ/UNKNOWN (default: this computer's) */
  timeZone?: string;
  /** called about every 500 ms with the progress so far */
  onProgress?: (p: { crawl_id: string; bytes_read: number; bytes_total?: number; entries: number; listens_accepted: number; skipped: number }) => void;
}

/**
 * Bad input to the crawl service: an HttpError (400 with `field` and `code`;
 * 404 for a source that is not connected), so the API answers it as it is.
 */
export class SourceError extends HttpError {
  constructor(message: string, field: string, code: string, status = 400) {
    super(status, code, message, field);
    this.name = 'SourceError';
  }
}

export interface CrawlServiceDeps {
  cassandra: CassandraClient;
  redis: Redis;
  kafka: Kafka;
  config: Config;
  log: Logger;
  /** defaults: createSources(config) */
  sources?: Map<string, SourceAdapter>;
  secrets?: SecretBox;
  queueName?: string;
  queuePrefix?: string;
  statsKey?: string;
}

const MIN_INTERVAL = 60;
/** jobs not started yet */
const QUEUED: JobType[] = ['waiting', 'delayed', 'prioritized'];

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
const MAX_INTERVAL = 7 * 86_400;

/** The crawl/source service of INTERFACES.md, used by the API routes and the crawler process. */
export class CrawlService {
  readonly store: Store;
  readonly sources: Map<string, SourceAdapter>;
  readonly queue: Queue<CrawlJobData>;
  private readonly secrets: SecretBox;
  private readonly publisher: ListenPublisher;

  constructor(private readonly deps: CrawlServiceDeps) {
    this.store = createStore(deps.cassandra);
    this.sources = deps.sources ?? createSources(deps.config);
    this.secrets = deps.secrets ?? SecretBox.fromDataDir(deps.config.dataDir);
    this.queue = createCrawlQueue(deps.redis, { name: deps.queueName ?? crawlQueueName(deps.config.keyspace), prefix: deps.queuePrefix });
    this.publisher = new ListenPublisher(deps.kafka, deps.config);
  }

  private adapter(source: string): SourceAdapter {
    const a = this.sources.get(source);
    if (!a) throw new SourceError(`unknown source "${source}"; known: ${[...this.sources.keys()].join(', ')}`, 'source', 'unknown_source');
    return a;
  }

  async connectSource(userId: string, source: string, body: unknown): Promise<{ created: boolean; source: SourceRecord }> {
    const adapter = this.adapter(source);
    let parsed: { config: Record<string, unknown>; credentials?: string };
    try {
      parsed = adapter.parseConfig(body);
    } catch (err) {
      if (err instanceof ConfigValidationError) throw new SourceError(err.message, err.field, 'invalid_source_config');
      throw err;
    }
    const before = await this.store.sources.getSource(userId, source);
    const created = await this.store.sources.upsertSource(userId, source, parsed.config, parsed.credentials ? this.secrets.encrypt(parsed.credentials) : null);
    const schedule = await this.store.crawls.getSchedule(userId, source);
    if (!schedule) {
      await this.store.crawls.upsertSchedule({
        user_id: userId,
        source,
        interval_seconds: adapter.defaultIntervalSeconds,
        paused: false,
        next_run_at: new Date(),
        state: 'idle',
      });
    } else if (before && JSON.stringify(before.config) !== JSON.stringify(parsed.config)) {
      // another account / seed: its history starts from scratch
      await this.store.crawls.updateSchedule(userId, source, { cursor: null, next_run_at: new Date() });
    }
    const rec = await this.sourceRecord(userId, source);
    return { created, source: rec! };
  }

  private async sourceRecord(userId: string, source: string): Promise<SourceRecord | null> {
    const s = await this.store.sources.getSource(userId, source);
    if (!s) return null;
    const sched = await this.store.crawls.getSchedule(userId, source);
    return {
      user_id: userId,
      source,
      config: s.config,
      created_at: s.created_at,
      schedule: sched ? publicSchedule(sched) : { user_id: userId, source, interval_seconds: 0, paused: true, next_run_at: null, state: 'none' },
    };
  }

  async listSources(userId: string): Promise<SourceRecord[]> {
    const rows = await this.store.sources.listSources(userId);
    const out: SourceRecord[] = [];
    for (const r of rows) {
      const rec = await this.sourceRecord(userId, r.source);
      if (rec) out.push(rec);
    }
    return out;
  }

  async removeSource(userId: string, source: string): Promise<boolean> {
    const s = await this.store.sources.getSource(userId, source);
    if (!s) return false;
    await this.store.sources.deleteSource(userId, source);
    await this.store.crawls.deleteSchedule(userId, source);
    await this.removeJobs((d) => d.user_id === userId && d.source === source, QUEUED);
    return true;
  }

  async setSchedule(userId: string, source: string, patch: { interval_seconds?: number; paused?: boolean }): Promise<ScheduleRecord | null> {
    if (typeof patch !== 'object' || patch === null) throw new SourceError('body must be a JSON object', 'body', 'invalid_body');
    const { interval_seconds: iv, paused } = patch;
    if (iv !== undefined && (typeof iv !== 'number' || !Number.isInteger(iv) || iv < MIN_INTERVAL || iv > MAX_INTERVAL)) {
      throw new SourceError(`interval_seconds must be an integer between ${MIN_INTERVAL} and ${MAX_INTERVAL}`, 'interval_seconds', 'invalid_interval');
    }
    if (paused !== undefined && typeof paused !== 'boolean') throw new SourceError('paused must be a boolean', 'paused', 'invalid_paused');
    const s = await this.store.crawls.getSchedule(userId, source);
    if (!s || !(await this.store.sources.getSource(userId, source))) return null;
    const f: Record<string, unknown> = {};
    if (paused !== undefined) f.paused = paused;
    if (iv !== undefined) {
      f.interval_seconds = iv;
      const base = s.last_run_at ? Date.parse(s.last_run_at) : Date.now();
      f.next_run_at = new Date(Math.max(Date.now(), base + iv * 1000));
    }
    await this.store.crawls.updateSchedule(userId, source, f);
    const after = await this.store.crawls.getSchedule(userId, source);
    return after ? publicSchedule(after) : null;
  }

  async requestCrawl(userId: string, source: string, trigger: 'manual' | 'retry' | 'schedule' = 'manual'): Promise<CrawlRecord> {
    this.adapter(source);
    if (!(await this.store.sources.getSource(userId, source))) {
      throw new SourceError(`source "${source}" is not connected for user "${userId}"`, 'source', 'not_connected', 404);
    }
    const crawl = await this.createCrawl(userId, source, trigger, 'queued');
    await this.store.crawls.updateSchedule(userId, source, { state: 'queued', last_crawl_id: crawl.crawl_id });
    await enqueueCrawl(this.queue, { crawl_id: crawl.crawl_id, user_id: userId, source });
    return crawl;
  }

  /** Create the crawl row (no job). */
  async createCrawl(userId: string, source: string, trigger: CrawlRecord['trigger'], state: CrawlState): Promise<CrawlRecord> {
    const crawl: CrawlRecord = {
      crawl_id: randomUUID(),
      user_id: userId,
      source,
      trigger,
      state,
      listens_fetched: 0,
      listens_published: 0,
      pages: 0,
      created_at: new Date().toISOString(),
    };
    await this.store.crawls.insertCrawl(crawl);
    return crawl;
  }

  getCrawl(crawlId: string): Promise<CrawlRecord | null> {
    return this.store.crawls.getCrawl(crawlId);
  }

  async listCrawls(userId: string, source?: string, limit = 50): Promise<CrawlRecord[]> {
    const sources = source ? [source] : [...new Set([...(await this.store.sources.listSources(userId)).map((s) => s.source), 'import'])];
    const ids: Array<{ crawl_id: string; created_at: Date }> = [];
    for (const s of sources) ids.push(...(await this.store.crawls.crawlIdsOf(userId, s, limit)));
    ids.sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.crawl_id < b.crawl_id ? -1 : 1));
    const out: CrawlRecord[] = [];
    for (const { crawl_id } of ids.slice(0, limit)) {
      const c = await this.store.crawls.getCrawl(crawl_id);
      if (c) out.push(c);
    }
    return out;
  }

  /**
   * Streams a history file (a path, or an upload's stream) in any supported
   * format to Kafka. Unusable entries are counted per reason; a file in no
   * supported format is refused (SourceError `unsupported_format`) before
   * anything is published. The crawl row carries the progress while it runs.
   */
  async importFile(userId: string, input: NodeJS.ReadableStream | { path: string }, filenameOrOptions?: string | ImportOptions): Promise<ImportReport> {
    if (typeof userId !== 'string' || userId === '') throw new SourceError('user id required', 'user_id', 'invalid_user');
    const o: ImportOptions = typeof filenameOrOptions === 'string' ? { filename: filenameOrOptions } : (filenameOrOptions ?? {});
    if (o.timeZone !== undefined && !validTimeZone(o.timeZone)) throw new SourceError(`unknown time zone "${o.timeZone}"`, 'timezone', 'invalid_timezone');
    const crawl = await this.createCrawl(userId, 'import', 'import', 'running');
    await this.store.crawls.updateCrawl(crawl.crawl_id, { started_at: new Date().toISOString(), ...(o.size !== undefined ? { bytes_total: o.size } : {}) });
    const file = new HistoryFile({ filename: o.filename, size: o.size, timeZone: o.timeZone });
    const reasons: Record<string, number> = {};
    let accepted = 0;
    let published = 0;
    let skipped = 0;
    let buffer: ListenEvent[] = [];
    const now = Date.now();
    const horizon = now - this.deps.config.retentionDays * DAY_MS;
    let lastProgress = Date.now();
    const progress = async (): Promise<void> => {
      const p = { crawl_id: crawl.crawl_id, bytes_read: file.bytesRead, bytes_total: file.bytesTotal, entries: file.entries, listens_accepted: published, skipped };
      o.onProgress?.(p);
      await this.store.crawls.updateCrawl(crawl.crawl_id, { listens_fetched: file.entries, listens_published: published, bytes_read: p.bytes_read, ...(p.bytes_total !== undefined ? { bytes_total: p.bytes_total } : {}) });
    };
    const flush = async (): Promise<void> => {
      if (buffer.length === 0) return;
      await this.publisher.publish(buffer);
      published += buffer.length;
      buffer = [];
      if (Date.now() - lastProgress >= 500) {
        lastProgress = Date.now();
        await progress();
      }
    };
    const skip = (r: string): void => {
      skipped++;
      reasons[r] = (reasons[r] ?? 0) + 1;
    };
    let error: Error | undefined;
    try {
      const batches: AsyncIterable<ImportItem[]> = 'path' in input ? file.fromPath(input.path) : file.fromStream(input as unknown as AsyncIterable<Buffer | string>);
      for await (const batch of batches) {
        for (const item of batch) {
          if ('skipped' in item) {
            skip(item.skipped);
            continue;
          }
          const l = item.listen;
          if (l.listened_at < horizon) {
            skip('older_than_retention');
            continue;
          }
          if (l.listened_at > now + DAY_MS) {
            skip('in_the_future');
            continue;
          }
          buffer.push(ListenPublisher.toEvent(userId, importSource(file.format), l, crawl.crawl_id, now));
          accepted++;
        }
        if (buffer.length >= 2000) await flush();
      }
      await flush();
    } catch (err) {
      error = err as Error;
    }
    const state: CrawlState = error ? 'failed' : 'done';
    await progress().catch(() => undefined);
    await this.store.crawls.updateCrawl(crawl.crawl_id, {
      state,
      listens_fetched: file.entries,
      listens_published: published,
      pages: 1,
      finished_at: new Date().toISOString(),
      ...(error ? { error: error.message } : {}),
    });
    await incrStats(this.deps.redis, { listens_fetched: published, ...(error ? { crawls_failed: 1 } : { crawls_done: 1 }) }, this.deps.statsKey ?? redisNames(this.deps.config.keyspace).stats);
    this.deps.log.info({ crawl_id: crawl.crawl_id, user_id: userId, format: file.format, accepted, published, skipped, error: error?.message }, 'import finished');
    if (error instanceof UnsupportedFormatError) throw new SourceError(error.message, 'body', 'unsupported_format');
    const report: ImportReport = {
      crawl_id: crawl.crawl_id,
      format: file.format ?? 'listenbrainz-json',
      lines_read: file.entries,
      listens_accepted: published,
      skipped,
      skipped_reasons: reasons,
      state,
    };
    if (file.files.length > 0) report.files = file.files;
    if (error) report.error = error.message;
    return report;
  }

  /** Sources, schedule, crawl history and queued jobs of a user (the API deletes listens and counts). */
  async deleteUserData(userId: string): Promise<void> {
    const sources = await this.store.sources.listSources(userId);
    for (const s of new Set([...sources.map((x) => x.source), 'import', ...this.sources.keys()])) {
      await this.store.crawls.deleteCrawlsOf(userId, s);
      await this.store.crawls.deleteSchedule(userId, s);
      await this.store.sources.deleteSource(userId, s);
    }
    await this.removeJobs((d) => d.user_id === userId, [...QUEUED, 'completed', 'failed']);
  }

  /** Jobs in the given states whose data match (a user's deletion also takes the completed and failed records, which hold the user id). */
  private async removeJobs(match: (d: CrawlJobData) => boolean, states: JobType[]): Promise<void> {
    const jobs = await this.queue.getJobs(states);
    for (const j of jobs) if (j && match(j.data)) await j.remove().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.publisher.close();
    await this.queue.close();
  }
}
