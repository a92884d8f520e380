import type { CassandraClient } from '../cassandra';
import { READ } from '../cassandra-policies';
import type { NamedListen } from '../chart-rows';
import { mapLimit } from '../concurrency';
import type { ListenEvent } from '../listen-event';
import { DAY_MS, dayStartMs, utcDay } from '../listen-identity';
import { SAME_PLAY_TOLERANCE_MS, selectNewPlays } from '../same-play';
import type { PlayLike } from '../same-play';
import { PartitionBatches } from './batches';
import { allRows, localDate, oneRow, run, streamRows, textOrNull, toNumber } from './rows';
import type { Row } from './rows';

/** A raw listen as stored in `listens` (one row per identity). */
export interface RawListen {
  listened_at: number;
  day: string;
  source: string;
  song_id: string;
  title: string | null;
  artist: string | null;
  album: string | null;
}

/** What a listen to be written carries. */
export type NewListen = Pick<ListenEvent, 'user_id' | 'source' | 'listened_at' | 'song_id' | 'title' | 'artist' | 'album'>;

/**
 * What a writer knows of the listens stored per (user, day) partition: an upper bound of their
 * listened_at (engine/aggregator/stored-bounds.ts), learnt from reads that cover everything stored
 * from some time on.
 */
export interface StoredKnowledge {
  upTo(user: string, day: string): number | undefined;
  learned(user: string, day: string, from: number, latest: number | undefined): void;
}

/** The listens of one (user, day) partition. */
export interface ListenSlice<L extends NewListen = NewListen> {
  user: string;
  day: string;
  listens: L[];
}

const COLUMNS = 'listened_at, source, song_id, title, artist, album';
const INSERT =
  'INSERT INTO listens (user_id, day, listened_at, source, song_id, title, artist, album) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?';
const SELECT_SLICE = `SELECT ${COLUMNS} FROM listens WHERE user_id = ? AND day = ?`;
const SELECT_PLAYS = 'SELECT listened_at, source, song_id, artist, title FROM listens WHERE user_id = ? AND day = ? AND listened_at >= ? AND listened_at <= ?';
const SELECT_PLAYS_FROM = 'SELECT listened_at, source, song_id, artist, title FROM listens WHERE user_id = ? AND day = ? AND listened_at >= ?';
const SELECT_NAMED = 'SELECT source, song_id, artist, title FROM listens WHERE user_id = ? AND day = ?';
const SELECT_BEFORE = `SELECT ${COLUMNS} FROM listens WHERE user_id = ? AND day = ? AND listened_at < ? LIMIT ?`;
const COUNT_SLICE = 'SELECT COUNT(*) AS n FROM listens WHERE user_id = ? AND day = ?';
const DELETE_SLICE = 'DELETE FROM listens WHERE user_id = ? AND day = ?';

const toRaw = (day: string) => (r: Row): RawListen => ({
  listened_at: (r.get('listened_at') as Date).getTime(),
  day,
  source: String(r.get('source')),
  song_id: String(r.get('song_id')),
  title: textOrNull(r.get('title')),
  artist: textOrNull(r.get('artist')),
  album: textOrNull(r.get('album')),
});


/**
 * The raw listens (`listens`): the idempotent source of truth. The primary
 * key is the identity of a listen, so writing one twice is a no-op.
 */
export class ListenStore {
  constructor(private readonly db: CassandraClient) {}

  /**
   * The listens of a slice that are new plays: not stored under the same
   * identity, nor the same play from another source (same-play.ts). One range
   * read over the slice's time span widened by the tolerance, in the
   * neighbouring day's partition too when the widened span reaches into it.
   * With `known`, a partition whose stored listens all are before the widened
   * span is not read; one whose bound is unknown is read to its end (what is
   * stored from the span's start on), which `known` learns; one with a bound
   * inside the span is read over the span only.
   */
  async unstored<L extends NewListen>(slice: ListenSlice<L>, known?: StoredKnowledge): Promise<L[]> {
    let lo = Infinity;
    let hi = -Infinity;
    for (const l of slice.listens) {
      if (l.listened_at < lo) lo = l.listened_at;
      if (l.listened_at > hi) hi = l.listened_at;
    }
    const fromMs = lo - SAME_PLAY_TOLERANCE_MS;
    const toMs = hi + SAME_PLAY_TOLERANCE_MS;
    const from = new Date(fromMs);
    const to = new Date(toMs);
    const dayStart = dayStartMs(slice.day);
    const days = [slice.day];
    if (fromMs < dayStart) days.push(utcDay(dayStart - 1));
    if (toMs >= dayStart + DAY_MS) days.push(utcDay(dayStart + DAY_MS));
    const stored: PlayLike[] = [];
    for (const d of days) {
      const bound = known?.upTo(slice.user, d);
      if (bound !== undefined && bound < fromMs) continue;
      // to the partition's end only while its bound is unknown: with a bound known, what the window
      // holds is all the dedupe needs (a re-crawled copy of an older listen reads its few neighbours,
      // not the rest of the day), and the bound stays right
      const toEnd = known !== undefined && bound === undefined;
      const rows = streamRows(this.db, toEnd ? SELECT_PLAYS_FROM : SELECT_PLAYS, toEnd ? [slice.user, localDate(d), from] : [slice.user, localDate(d), from, to], (r) => ({
        listened_at: (r.get('listened_at') as Date).getTime(),
        source: String(r.get('source')),
        song_id: String(r.get('song_id')),
        artist: textOrNull(r.get('artist')),
        title: textOrNull(r.get('title')),
      }));
      let latest: number | undefined;
      for await (const p of rows) {
        if (latest === undefined || p.listened_at > latest) latest = p.listened_at;
        if (p.listened_at <= toMs) stored.push(p);
      }
      if (toEnd) known.learned(slice.user, d, fromMs, latest);
    }
    return selectNewPlays(slice.listens, stored).fresh;
  }

  /**
   * Write the listens of the slices, one unlogged batch per partition chunk,
   * each with TTL = `ttlSeconds(listened_at)`.
   */
  async write(slices: ListenSlice[], ttlSeconds: (listenedAt: number) => number, concurrency: number): Promise<void> {
    const batches = new PartitionBatches();
    for (const s of slices) {
      const day = localDate(s.day);
      const partition = `${s.user}\u0001${s.day}`;
      for (const l of s.listens) {
        batches.add(partition, {
          query: INSERT,
          params: [l.user_id, day, new Date(l.listened_at), l.source, l.song_id, l.title, l.artist, l.album ?? null, ttlSeconds(l.listened_at)],
        });
      }
    }
    await batches.run(this.db, concurrency, false);
  }

  /** One listen, one statement (the seed design's write path). */
  async insert(l: NewListen, day: string, ttlSeconds: number): Promise<void> {
    await run(this.db, INSERT, [l.user_id, localDate(day), new Date(l.listened_at), l.source, l.song_id, l.title, l.artist, l.album ?? null, ttlSeconds]);
  }

  /** Every raw listen of a (user, day), newest first. */
  slice(user: string, day: string): Promise<RawListen[]> {
    return allRows(this.db, SELECT_SLICE, [user, localDate(day)], toRaw(day));
  }

  /** Source, song and names of every raw listen of a (user, day): what a chart row is chosen from. */
  named(user: string, day: string): Promise<NamedListen[]> {
    return allRows(this.db, SELECT_NAMED, [user, localDate(day)], (r) => ({
      source: String(r.get('source')),
      song_id: String(r.get('song_id')),
      artist: textOrNull(r.get('artist')),
      title: textOrNull(r.get('title')),
    }));
  }

  /**
   * Listens strictly before `before` (ms), newest first, at most `limit`, from
   * the given days (read in parallel); ties by source, then song_id.
   */
  async recent(user: string, days: string[], before: number, limit: number, concurrency: number): Promise<RawListen[]> {
    const beforeDay = utcDay(before);
    const parts = await mapLimit(days.filter((d) => d <= beforeDay), concurrency, async (d) => {
      const rs = await this.db.execute(SELECT_BEFORE, [user, localDate(d), new Date(before), limit], READ);
      return rs.rows.map(toRaw(d));
    });
    const all = parts.flat();
    all.sort(
      (a, b) => b.listened_at - a.listened_at || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) || (a.song_id < b.song_id ? -1 : a.song_id > b.song_id ? 1 : 0),
    );
    return all.slice(0, limit);
  }

  /** Number of raw listens of a (user, day). */
  /** When each raw listen of `user` on the given days started (ms since epoch), one partition per day (the heatmap). */
  async startTimes(user: string, days: string[]): Promise<number[]> {
    const parts = await mapLimit(days, 8, async (day) => {
      const out: number[] = [];
      for await (const t of streamRows(this.db, 'SELECT listened_at FROM listens WHERE user_id = ? AND day = ?', [user, localDate(day)], (r) => (r.get('listened_at') as Date).getTime())) out.push(t);
      return out;
    });
    return parts.flat();
  }

  async count(user: string, day: string): Promise<number> {
    return (await oneRow(this.db, COUNT_SLICE, [user, localDate(day)], (r) => toNumber(r.get('n')))) ?? 0;
  }

  async deleteSlice(user: string, day: string): Promise<void> {
    await run(this.db, DELETE_SLICE, [user, localDate(day)]);
  }
}
