import cassandra from 'cassandra-driver';
import { READ } from '../cassandra-policies';
import type { CassandraClient } from '../cassandra';
import { isoOf as iso, streamRows } from './rows';
import type { Row } from './rows';

export type CrawlState = 'queued' | 'running' | 'done' | 'failed';
export type CrawlTrigger = 'manual' | 'schedule' | 'retry' | 'import';

export interface CrawlRecord {
  crawl_id: string;
  user_id: string;
  source: string;
  trigger: CrawlTrigger;
  state: CrawlState;
  listens_fetched: number;
  listens_published: number;
  pages: number;
  /** pages read only for the look-back window (late listens below the cursor) */
  lookback_pages?: number;
  /** an import's progress through its file */
  bytes_read?: number;
  bytes_total?: number;
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

export interface ScheduleRow extends ScheduleRecord {
  cursor: string | null;
}

/** bigint columns take a driver Long */
const cassandraLong = (n: number): cassandra.types.Long => cassandra.types.Long.fromNumber(n);
const P = { prepare: true } as const;

/** Crawl runs (`crawls`, `crawls_by_source`) and the durable schedule (`crawl_schedule`). */
export class CrawlStore {
  constructor(private readonly db: CassandraClient) {}

  // ---- crawls
  async insertCrawl(c: CrawlRecord): Promise<void> {
    await this.db.execute(
      'INSERT INTO crawls (crawl_id, user_id, source, trigger, state, listens_fetched, listens_published, pages, error, created_at, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [c.crawl_id, c.user_id, c.source, c.trigger, c.state, c.listens_fetched, c.listens_published, c.pages, c.error ?? null, new Date(c.created_at), c.started_at ? new Date(c.started_at) : null, c.finished_at ? new Date(c.finished_at) : null],
      P,
    );
    await this.db.execute('INSERT INTO crawls_by_source (user_id, source, created_at, crawl_id) VALUES (?, ?, ?, ?)', [c.user_id, c.source, new Date(c.created_at), c.crawl_id], P);
  }

  async updateCrawl(
    crawlId: string,
    f: Partial<Pick<CrawlRecord, 'state' | 'listens_fetched' | 'listens_published' | 'pages' | 'lookback_pages' | 'bytes_read' | 'bytes_total' | 'error' | 'started_at' | 'finished_at'>>,
  ): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [k, v] of Object.entries(f)) {
      if (v === undefined) continue;
      sets.push(`${k} = ?`);
      params.push(k.endsWith('_at') && typeof v === 'string' ? new Date(v) : k.startsWith('bytes_') ? cassandraLong(v as number) : v);
    }
    if ('error' in f && f.error === undefined) {
      sets.push('error = ?');
      params.push(null);
    }
    if (sets.length === 0) return;
    params.push(crawlId);
    await this.db.execute(`UPDATE crawls SET ${sets.join(', ')} WHERE crawl_id = ?`, params, P);
  }

  async getCrawl(crawlId: string): Promise<CrawlRecord | null> {
    const r = (await this.db.execute('SELECT * FROM crawls WHERE crawl_id = ?', [crawlId], READ)).first();
    if (!r || !r.user_id) return null;
    const out: CrawlRecord = {
      crawl_id: r.crawl_id,
      user_id: r.user_id,
      source: r.source,
      trigger: r.trigger,
      state: r.state,
      listens_fetched: r.listens_fetched ?? 0,
      listens_published: r.listens_published ?? 0,
      pages: r.pages ?? 0,
      created_at: iso(r.created_at) ?? new Date(0).toISOString(),
    };
    if (typeof r.lookback_pages === 'number') out.lookback_pages = r.lookback_pages;
    if (r.bytes_read !== null && r.bytes_read !== undefined) out.bytes_read = Number(r.bytes_read);
    if (r.bytes_total !== null && r.bytes_total !== undefined) out.bytes_total = Number(r.bytes_total);
    if (r.error) out.error = r.error;
    if (r.started_at) out.started_at = iso(r.started_at);
    if (r.finished_at) out.finished_at = iso(r.finished_at);
    return out;
  }

  async crawlIdsOf(userId: string, source: string, limit: number): Promise<Array<{ crawl_id: string; created_at: Date }>> {
    const rs = await this.db.execute('SELECT crawl_id, created_at FROM crawls_by_source WHERE user_id = ? AND source = ? LIMIT ?', [userId, source, limit], READ);
    return rs.rows.map((r) => ({ crawl_id: r.crawl_id as string, created_at: r.created_at as Date }));
  }

  async deleteCrawlsOf(userId: string, source: string): Promise<void> {
    const ids = await this.crawlIdsOf(userId, source, 100_000);
    for (const { crawl_id } of ids) await this.db.execute('DELETE FROM crawls WHERE crawl_id = ?', [crawl_id], P);
    await this.db.execute('DELETE FROM crawls_by_source WHERE user_id = ? AND source = ?', [userId, source], P);
  }

  // ---- schedule
  async getSchedule(userId: string, source: string): Promise<ScheduleRow | null> {
    const r = (await this.db.execute('SELECT * FROM crawl_schedule WHERE user_id = ? AND source = ?', [userId, source], READ)).first();
    return r ? toScheduleRow(r) : null;
  }

  async upsertSchedule(s: { user_id: string; source: string; interval_seconds: number; paused: boolean; next_run_at: Date | null; state: string }): Promise<void> {
    await this.db.execute(
      'UPDATE crawl_schedule SET interval_seconds = ?, paused = ?, next_run_at = ?, state = ?, updated_at = ? WHERE user_id = ? AND source = ?',
      [s.interval_seconds, s.paused, s.next_run_at, s.state, new Date(), s.user_id, s.source],
      P,
    );
  }

  async updateSchedule(userId: string, source: string, f: Record<string, unknown>): Promise<void> {
    const keys = Object.keys(f);
    if (keys.length === 0) return;
    await this.db.execute(
      `UPDATE crawl_schedule SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE user_id = ? AND source = ?`,
      [...keys.map((k) => f[k] ?? null), new Date(), userId, source],
      P,
    );
  }

  /** Lightweight transaction: claim the schedule for a new crawl only if its state is still `expected`. */
  async claimSchedule(userId: string, source: string, expected: string | null, crawlId: string): Promise<boolean> {
    const rs = await this.db.execute(
      'UPDATE crawl_schedule SET state = ?, last_crawl_id = ?, updated_at = ? WHERE user_id = ? AND source = ? IF state = ?',
      ['queued', crawlId, new Date(), userId, source, expected],
      P,
    );
    return rs.wasApplied();
  }

  async deleteSchedule(userId: string, source: string): Promise<void> {
    await this.db.execute('DELETE FROM crawl_schedule WHERE user_id = ? AND source = ?', [userId, source], P);
  }

  /** Every schedule row (a full scan: the table has one row per connected source). */
  async *allSchedules(): AsyncIterable<ScheduleRow> {
    yield* streamRows(this.db, 'SELECT * FROM crawl_schedule', [], toScheduleRow, 500);
  }
}

function toScheduleRow(r: Row): ScheduleRow {
  const out: ScheduleRow = {
    user_id: r.user_id as string,
    source: r.source as string,
    interval_seconds: (r.interval_seconds as number | null) ?? 0,
    paused: (r.paused as boolean | null) ?? false,
    next_run_at: iso(r.next_run_at) ?? null,
    state: (r.state as string | null) ?? 'idle',
    cursor: (r.cursor as string | null) ?? null,
  };
  if (r.last_run_at) out.last_run_at = iso(r.last_run_at);
  if (r.last_crawl_id) out.last_crawl_id = r.last_crawl_id as string;
  if (r.last_error) out.last_error = r.last_error as string;
  return out;
}

export function publicSchedule(s: ScheduleRow): ScheduleRecord {
  const { cursor: _cursor, ...rest } = s;
  return rest;
}
