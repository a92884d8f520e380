import { Readable } from 'node:stream';
import cassandra from 'cassandra-driver';
import type { CassandraClient } from '../shared/cassandra';
import type { Logger } from '../shared/logger';
import type { TopkCache } from './cache';
import { mapLimit } from '../shared/concurrency';
import type { CrawlServicePort } from './crawl-port';
import { addDays, dayOf } from './days';
import type { TopkStore } from './topk-store';
import { deleteUserDayTotal } from '../shared/store/play-totals';

const { LocalDate } = cassandra.types;

export interface DeleteReport {
  user_id: string;
  days: number;
  listens_deleted: number;
  counts_deleted: number;
  follows_deleted: number;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(String(v ?? 0));
}

/**
 * GDPR: delete every trace of a user, and export what is kept about them.
 */
export class UserDataService {
  constructor(
    private readonly deps: {
      db: CassandraClient;
      store: TopkStore;
      cache: TopkCache;
      crawl: CrawlServicePort | undefined;
      retentionDays: number;
      now: () => number;
      log: Logger;
    },
  ) {}

  /** Days that may hold data of the user: user_days plus the whole retention window (in case user_days lags). */
  async candidateDays(userId: string): Promise<string[]> {
    const today = dayOf(this.deps.now());
    const days = new Set(await this.deps.store.userDays(userId));
    for (let i = -1; i <= this.deps.retentionDays; i++) days.add(addDays(today, -i));
    return [...days].sort().reverse();
  }

  /**
   * Order matters: the tombstone in deleted_users goes first so the
   * aggregator drops the user's in-flight and replayed events; then each
   * day's per-user counters are subtracted from the global counters before
   * the partitions are deleted, so no count derived from the user remains.
   */
  async deleteUser(userId: string): Promise<DeleteReport> {
    const { db, crawl, cache, log } = this.deps;
    const q = (cql: string, params: unknown[]) => db.execute(cql, params, { prepare: true });
    await q('INSERT INTO deleted_users (user_id, deleted_at) VALUES (?, ?)', [userId, new Date(this.deps.now())]);
    const days = await this.candidateDays(userId);
    let listensDeleted = 0;
    let countsDeleted = 0;
    await mapLimit(days, 4, async (day) => {
      const d = LocalDate.fromString(day);
      const counts = await this.deps.store.rows('SELECT song_id, plays FROM daily_counts WHERE user_id = ? AND day = ?', [userId, d]);
      await mapLimit(counts, 16, async (r) => {
        const plays = num(r.get('plays'));
        if (plays !== 0) {
          await q('UPDATE global_daily_counts SET plays = plays - ? WHERE day = ? AND song_id = ?', [
            cassandra.types.Long.fromNumber(plays),
            d,
            String(r.get('song_id')),
          ]);
        }
      });
      countsDeleted += counts.length;
      await deleteUserDayTotal(db, userId, day);
      const listens = await db.execute('SELECT COUNT(*) AS n FROM listens WHERE user_id = ? AND day = ?', [userId, d], { prepare: true });
      listensDeleted += num(listens.first()?.get('n'));
      await q('DELETE FROM daily_counts WHERE user_id = ? AND day = ?', [userId, d]);
      await q('DELETE FROM listens WHERE user_id = ? AND day = ?', [userId, d]);
    });
    await q('DELETE FROM user_days WHERE user_id = ?', [userId]);

    const own = await this.deps.store.rows('SELECT followed_id FROM user_follows WHERE user_id = ?', [userId]);
    await q('DELETE FROM user_follows WHERE user_id = ?', [userId]);
    // who follows the user: user_follows is keyed by follower, so this scans (small, local table)
    const followers = await this.deps.store.rows('SELECT user_id FROM user_follows WHERE followed_id = ? ALLOW FILTERING', [userId]);
    await mapLimit(followers, 8, (r) => q('DELETE FROM user_follows WHERE user_id = ? AND followed_id = ?', [String(r.get('user_id')), userId]));

    if (crawl) await crawl.deleteUserData(userId);
    else await this.deleteSourcesDirectly(userId);

    await q('DELETE FROM users WHERE user_id = ?', [userId]);
    await cache.invalidate([userId]);
    await cache.publishInvalidation([userId]);
    const report = { user_id: userId, days: days.length, listens_deleted: listensDeleted, counts_deleted: countsDeleted, follows_deleted: own.length + followers.length };
    log.info(report, 'user deleted');
    return report;
  }

  /** Without a crawl service (API-only deployments): remove sources, schedules and crawl rows with CQL. */
  private async deleteSourcesDirectly(userId: string): Promise<void> {
    const { db } = this.deps;
    const q = (cql: string, params: unknown[]) => db.execute(cql, params, { prepare: true });
    const sources = await this.deps.store.rows('SELECT source FROM sources WHERE user_id = ?', [userId]);
    for (const s of sources) {
      const source = String(s.get('source'));
      const crawls = await this.deps.store.rows('SELECT crawl_id FROM crawls_by_source WHERE user_id = ? AND source = ?', [userId, source]);
      await mapLimit(crawls, 8, (c) => q('DELETE FROM crawls WHERE crawl_id = ?', [String(c.get('crawl_id'))]));
      await q('DELETE FROM crawls_by_source WHERE user_id = ? AND source = ?', [userId, source]);
      await q('DELETE FROM crawl_schedule WHERE user_id = ? AND source = ?', [userId, source]);
    }
    await q('DELETE FROM sources WHERE user_id = ?', [userId]);
  }

  /** The user's profile, sources (no credentials), raw listens and daily counts, as a JSON or CSV stream. */
  export(userId: string, format: 'json' | 'csv'): Readable {
    return Readable.from(format === 'csv' ? this.csv(userId) : this.json(userId), { objectMode: false });
  }

  private async *json(userId: string): AsyncGenerator<string> {
    const { db, store } = this.deps;
    const user = (await db.execute('SELECT * FROM users WHERE user_id = ?', [userId], { prepare: true })).first();
    const sources = await store.rows('SELECT source, config, created_at FROM sources WHERE user_id = ?', [userId]);
    yield `{"user_id":${JSON.stringify(userId)},"exported_at":${JSON.stringify(new Date(this.deps.now()).toISOString())}`;
    yield `,"user":${JSON.stringify(user ? rowToJson(user) : null)}`;
    yield `,"sources":${JSON.stringify(sources.map((s) => ({ source: s.get('source'), config: safeParse(s.get('config')), created_at: s.get('created_at') })))}`;
    const days = await this.candidateDays(userId);
    yield ',"listens":[';
    let first = true;
    for (const day of days) {
      for (const l of await this.listensOf(userId, day)) {
        yield (first ? '' : ',') + JSON.stringify(l);
        first = false;
      }
    }
    yield '],"counts":[';
    first = true;
    for (const day of days) {
      for (const c of await this.countsOf(userId, day)) {
        yield (first ? '' : ',') + JSON.stringify(c);
        first = false;
      }
    }
    yield ']}\n';
  }

  private async *csv(userId: string): AsyncGenerator<string> {
    yield 'record,user_id,day,listened_at,source,song_id,title,artist,album,plays\r\n';
    const days = await this.candidateDays(userId);
    for (const day of days) {
      for (const l of await this.listensOf(userId, day)) {
        yield csvRow(['listen', userId, day, new Date(l.listened_at).toISOString(), l.source, l.song_id, l.title, l.artist, l.album, '']);
      }
    }
    for (const day of days) {
      for (const c of await this.countsOf(userId, day)) yield csvRow(['count', userId, day, '', '', c.song_id, '', '', '', String(c.plays)]);
    }
  }

  private async listensOf(userId: string, day: string) {
    const rows = await this.deps.store.rows(
      'SELECT listened_at, source, song_id, title, artist, album FROM listens WHERE user_id = ? AND day = ?',
      [userId, LocalDate.fromString(day)],
    );
    return rows.map((r) => ({
      listened_at: (r.get('listened_at') as Date).getTime(),
      day,
      source: String(r.get('source')),
      song_id: String(r.get('song_id')),
      title: (r.get('title') as string | null) ?? null,
      artist: (r.get('artist') as string | null) ?? null,
      album: (r.get('album') as string | null) ?? null,
    }));
  }

  private async countsOf(userId: string, day: string) {
    const rows = await this.deps.store.rows('SELECT song_id, plays FROM daily_counts WHERE user_id = ? AND day = ?', [userId, LocalDate.fromString(day)]);
    return rows.map((r) => ({ day, song_id: String(r.get('song_id')), plays: num(r.get('plays')) })).filter((c) => c.plays > 0);
  }
}

function rowToJson(row: cassandra.types.Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of row.keys()) {
    const v: unknown = row.get(k);
    out[k] = v instanceof Date ? v.toISOString() : v !== null && typeof v === 'object' && 'toString' in v ? String(v) : v;
  }
  return out;
}

function safeParse(s: unknown): unknown {
  try {
    return typeof s === 'string' ? JSON.parse(s) : null;
  } catch {
    return null;
  }
}

export function csvRow(fields: (string | null)[]): string {
  return (
    fields
      .map((f) => {
        const s = f ?? '';
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}
