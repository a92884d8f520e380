import { Readable } from 'node:stream';
import type { Logger } from '../shared/logger';
import type { Store } from '../shared/store/store';
import type { TopkCache } from './cache';
import { mapLimit, sleep } from '../shared/concurrency';
import { CHUNK_IN_FLIGHT_TTL_MS } from '../shared/store/chunks-in-flight';
import type { CrawlServicePort } from './crawl-port';
import { addDays, dayOf } from './days';
import { GLOBAL_SCOPE, userScope } from '../shared/ranked-sets';
import type { RankedSets } from '../shared/ranked-sets';

export interface DeleteReport {
  user_id: string;
  days: number;
  listens_deleted: number;
  counts_deleted: number;
  follows_deleted: number;
}

/**
 * GDPR: delete every trace of a user, and export what is kept about them.
 */
export class UserDataService {
  constructor(
    private readonly deps: {
      store: Store;
      ranked: RankedSets;
      cache: TopkCache;
      crawl: CrawlServicePort | undefined;
      retentionDays: number;
      now: () => number;
      log: Logger;
      /** test hook (the barrier's race): told how many chunks the deletion waits for, before it waits */
      waitingForChunks?: (n: number) => void;
    },
  ) {}

  /** Days that may hold data of the user: user_days plus the whole retention window (in case user_days lags). */
  async candidateDays(userId: string): Promise<string[]> {
    const today = dayOf(this.deps.now());
    const days = new Set(await this.deps.store.counts.daysOf(userId));
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
    const { store, crawl, cache, log } = this.deps;
    const { counts, listens, users } = store;
    await users.markDeleted(userId, new Date(this.deps.now()));
    await this.waitForChunksInFlight(userId);
    const days = await this.candidateDays(userId);
    let listensDeleted = 0;
    let countsDeleted = 0;
    await mapLimit(days, 4, async (day) => {
      const plays = await counts.userDay(userId, day);
      // out of the global shard the user's counts went to (the day's sum stays exact whichever shard)
      const shards = await counts.shardsOf(userId, day);
      await mapLimit([...plays], 16, async ([song, n]) => {
        if (n !== 0) await counts.addGlobal(day, shards[0] ?? 0, song, -n);
      });
      for (const shard of shards) await counts.deleteShardUser(day, shard, userId);
      countsDeleted += plays.size;
      await store.playTotals.deleteUserDay(userId, day, shards[0] ?? 0);
      const n = await listens.count(userId, day);
      listensDeleted += n;
      await counts.deleteUserDay(userId, day);
      await counts.deleteUserOn(day, userId);
      await listens.deleteSlice(userId, day);
    });
    await counts.deleteDaysOf(userId);
    // the user's sets, every window derived from them (friends' too) and the global days lose the user's plays
    const scope = userScope(userId);
    await this.deps.ranked.drop([{ scope, day: '*' }, ...days.flatMap((day) => [{ scope, day }, { scope: GLOBAL_SCOPE, day }])]);

    const own = await users.followed(userId);
    await users.deleteFollowsOf(userId);
    const followers = await users.followers(userId);
    await mapLimit(followers, 8, (f) => users.unfollow(f, userId));

    if (crawl) await crawl.deleteUserData(userId);
    else await this.deleteSourcesDirectly(userId);

    await users.delete(userId);
    await cache.invalidate([userId]);
    await cache.publishInvalidation([userId]);
    const report = { user_id: userId, days: days.length, listens_deleted: listensDeleted, counts_deleted: countsDeleted, follows_deleted: own.length + followers.length };
    log.info(report, 'user deleted');
    return report;
  }

  /**
   * The barrier with the aggregator (cql/0008): a chunk records itself before it checks
   * deleted_users. A chunk recorded now may have checked before the tombstone and still be
   * writing, so the sweep waits until each of them is done (or expired: its process died);
   * a chunk recorded after this read checks after the tombstone and drops the user's events.
   * Any user's chunk counts (one row per chunk keeps the aggregator's cost per chunk, not per
   * user): the wait is the time of the chunks in flight, about a second.
   */
  private async waitForChunksInFlight(userId: string): Promise<void> {
    const { chunksInFlight } = this.deps.store;
    const waiting = new Set(await chunksInFlight.open());
    this.deps.waitingForChunks?.(waiting.size);
    if (waiting.size === 0) return;
    const t0 = Date.now();
    this.deps.log.info({ user_id: userId, chunks: waiting.size }, 'deletion waits for aggregator chunks in flight');
    while (waiting.size > 0 && Date.now() - t0 < CHUNK_IN_FLIGHT_TTL_MS) {
      await sleep(50);
      const now = new Set(await chunksInFlight.open());
      for (const id of waiting) if (!now.has(id)) waiting.delete(id);
    }
  }

  /** Without a crawl service (API-only deployments): remove sources, schedules and crawl rows directly. */
  private async deleteSourcesDirectly(userId: string): Promise<void> {
    const { crawls, sources } = this.deps.store;
    for (const s of await sources.listSources(userId)) {
      await crawls.deleteCrawlsOf(userId, s.source);
      await crawls.deleteSchedule(userId, s.source);
    }
    await sources.deleteSourcesOf(userId);
  }

  /** The user's profile, sources (no credentials), raw listens and daily counts, as a JSON or CSV stream. */
  export(userId: string, format: 'json' | 'csv'): Readable {
    return Readable.from(format === 'csv' ? this.csv(userId) : this.json(userId), { objectMode: false });
  }

  private async *json(userId: string): AsyncGenerator<string> {
    const { store } = this.deps;
    const user = await store.users.everyColumn(userId);
    const sources = await store.sources.listSources(userId);
    yield `{"user_id":${JSON.stringify(userId)},"exported_at":${JSON.stringify(new Date(this.deps.now()).toISOString())}`;
    yield `,"user":${JSON.stringify(user)}`;
    yield `,"sources":${JSON.stringify(sources.map((s) => ({ source: s.source, config: s.config, created_at: s.created_at })))}`;
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

  private listensOf(userId: string, day: string) {
    return this.deps.store.listens.slice(userId, day);
  }

  private async countsOf(userId: string, day: string) {
    const plays = await this.deps.store.counts.userDay(userId, day);
    return [...plays].map(([song_id, n]) => ({ day, song_id, plays: n })).filter((c) => c.plays > 0);
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
