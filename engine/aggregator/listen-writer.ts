import cassandra from 'cassandra-driver';
import type { CassandraClient } from '../shared/cassandra';
import type { Logger } from '../shared/logger';
import type { ListenEvent } from '../shared/listen-event';
import { dayStartMs, identityKey, utcDay, DAY_MS } from '../shared/listen-identity';
import { SAME_PLAY_TOLERANCE_MS, selectNewPlays } from '../shared/same-play';
import type { PlayLike } from '../shared/same-play';
import { mapLimit } from '../shared/concurrency';
import { recomputeGlobalSongs, recomputeUserDay, usersOfDay } from './recompute';
import { INCR_DAY_TOTAL, INCR_USER_DAY_TOTAL, recomputeDayTotals, recomputeUserDayTotal, shardOf } from '../shared/store/play-totals';

export interface WriteResult {
  /** listens written and counted for the first time */
  counted: number;
  /** duplicates of listens already stored or repeated in the batch */
  duplicates: number;
  /** "user|day" slices whose counts changed */
  changed: Map<string, Set<string>>;
}

/** Wall time of the write stages of one batch, in microseconds (the benchmark reads their sums). */
export interface WriteTiming {
  /** reading existing raw listens of the touched slices */
  dedupe_us: number;
  /** intent, raw listens, user_days/day_users, tracks */
  raw_us: number;
  /** counter updates and the intent delete */
  counts_us: number;
}

const usSince = (t0: bigint): number => Number((process.hrtime.bigint() - t0) / 1000n);

export interface ListenWriterOptions {
  db: CassandraClient;
  log: Logger;
  retentionDays: number;
  /**
   * the consumer stream whose partitions this writer's intents belong to
   * (`<consumer group>/<topic>`): aggregators of other streams on the same keyspace never recover them
   */
  stream?: string;
  /** false only to measure the cost of the dedupe path: duplicates are then double counted */
  dedupe?: boolean;
  concurrency?: number;
  /** test hook: called after counters are written, before the intent is deleted */
  afterCounters?: () => void;
  now?: () => number;
}

const INSERT_LISTEN =
  'INSERT INTO listens (user_id, day, listened_at, source, song_id, title, artist, album) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?';
const SELECT_EXISTING =
  'SELECT listened_at, source, song_id, artist, title FROM listens WHERE user_id = ? AND day = ? AND listened_at >= ? AND listened_at <= ?';
const INSERT_USER_DAY = 'INSERT INTO user_days (user_id, day) VALUES (?, ?)';
const INSERT_DAY_USER = 'INSERT INTO day_users (day, user_id) VALUES (?, ?)';
const UPSERT_TRACK = 'INSERT INTO tracks (song_id, title, artist, album) VALUES (?, ?, ?, ?)';
const INCR_USER = 'UPDATE daily_counts SET plays = plays + ? WHERE user_id = ? AND day = ? AND song_id = ?';
const INCR_GLOBAL = 'UPDATE global_daily_counts SET plays = plays + ? WHERE day = ? AND song_id = ?';
const INSERT_INTENT = 'INSERT INTO aggregator_intents_by_stream (stream, kafka_partition, batch_id, user_days, created_at) VALUES (?, ?, ?, ?, ?)';
const DELETE_INTENT = 'DELETE FROM aggregator_intents_by_stream WHERE stream = ? AND kafka_partition = ? AND batch_id = ?';
const SELECT_INTENTS = 'SELECT batch_id, user_days FROM aggregator_intents_by_stream WHERE stream = ? AND kafka_partition = ?';
/** intents of versions before cql/0003 (keyed by partition only): recovered, never written */
const SELECT_LEGACY_INTENTS = 'SELECT batch_id, user_days FROM aggregator_intents WHERE kafka_partition = ?';
const DELETE_LEGACY_INTENT = 'DELETE FROM aggregator_intents WHERE kafka_partition = ? AND batch_id = ?';

const SEP = '\u0001';

/**
 * Unlogged batches stay under Cassandra's batch_size_warn_threshold (5 KiB by
 * default): larger ones make the server log and return a warning per batch.
 */
const BATCH_BYTES = 4000;
const BATCH_MAX = 100;

interface Query {
  query: string;
  params: unknown[];
}

function addTo(groups: Map<string, Query[]>, key: string, q: Query): void {
  let l = groups.get(key);
  if (!l) groups.set(key, (l = []));
  l.push(q);
}

/** "YYYY-MM-DD" → LocalDate, cached: the driver would otherwise parse the string for every statement it encodes */
const localDates = new Map<string, cassandra.types.LocalDate>();
function localDate(day: string): cassandra.types.LocalDate {
  let d = localDates.get(day);
  if (!d) {
    d = cassandra.types.LocalDate.fromString(day);
    if (localDates.size > 4096) localDates.clear();
    localDates.set(day, d);
  }
  return d;
}

/** Split statements into batches of at most BATCH_MAX statements and about BATCH_BYTES of values. */
function chunks(qs: Query[]): Query[][] {
  const out: Query[][] = [];
  let cur: Query[] = [];
  let bytes = 0;
  for (const q of qs) {
    let size = 24;
    for (const p of q.params) size += typeof p === 'string' ? p.length : 8;
    if (cur.length > 0 && (cur.length >= BATCH_MAX || bytes + size > BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(q);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * The exact-count write path of one batch (INTERFACES.md "Exactness design"):
 * dedupe in batch → read existing raw listens of the touched (user, day)
 * slices → intent → raw listens (idempotent by primary key, TTL from the
 * listen's own time) → one counter update per (user, day, song) and per
 * (day, song) for NEW listens only → delete intent.
 */
export class ListenWriter {
  private readonly db: CassandraClient;
  private readonly log: Logger;
  private readonly dedupe: boolean;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly stream: string;
  /** songs whose track row was written recently: skip rewriting the same metadata */
  private readonly knownTracks = new Map<string, string>();

  constructor(private readonly opts: ListenWriterOptions) {
    this.db = opts.db;
    this.log = opts.log;
    this.dedupe = opts.dedupe !== false;
    this.concurrency = opts.concurrency ?? 64;
    this.now = opts.now ?? Date.now;
    this.stream = opts.stream ?? 'default';
  }

  private exec(q: string, params: unknown[]): Promise<unknown> {
    return this.db.execute(q, params, { prepare: true });
  }

  /** An unlogged batch of statements of ONE partition (or a single statement on its own). */
  private batch(qs: Query[], counter: boolean): Promise<unknown> {
    if (qs.length === 1) return this.exec(qs[0]!.query, qs[0]!.params);
    return this.db.batch(qs, { prepare: true, logged: false, counter });
  }

  async write(events: ListenEvent[], kafkaPartition: number, timing?: WriteTiming): Promise<WriteResult> {
    let t0 = process.hrtime.bigint();
    // 1. dedupe inside the batch, group by (user, day)
    const slices = new Map<string, ListenEvent[]>();
    const seen = new Set<string>();
    let duplicates = 0;
    for (const e of events) {
      const id = identityKey(e);
      if (seen.has(id)) {
        duplicates++;
        continue;
      }
      seen.add(id);
      const slice = e.user_id + SEP + utcDay(e.listened_at);
      let list = slices.get(slice);
      if (!list) slices.set(slice, (list = []));
      list.push(e);
    }

    // 2. drop listens already stored (replay, overlapping crawls, producer retries)
    let fresh: Array<[string, ListenEvent[]]> = [...slices];
    if (this.dedupe) {
      const filtered = await mapLimit(fresh, this.concurrency, async ([slice, list]) => {
        const [user, day] = slice.split(SEP) as [string, string];
        let lo = Infinity;
        let hi = -Infinity;
        for (const e of list) {
          if (e.listened_at < lo) lo = e.listened_at;
          if (e.listened_at > hi) hi = e.listened_at;
        }
        // the same play from another source may sit up to the tolerance away, in the neighbouring day's slice too
        const stored: PlayLike[] = [];
        const dayStart = dayStartMs(day);
        const days = [day];
        if (lo - SAME_PLAY_TOLERANCE_MS < dayStart) days.push(utcDay(dayStart - 1));
        if (hi + SAME_PLAY_TOLERANCE_MS >= dayStart + DAY_MS) days.push(utcDay(dayStart + DAY_MS));
        for (const d of days) {
          const rows = this.db.stream(SELECT_EXISTING, [user, localDate(d), lo - SAME_PLAY_TOLERANCE_MS, hi + SAME_PLAY_TOLERANCE_MS], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<
            { listened_at: Date; source: string; song_id: string; artist: string | null; title: string | null }
          >;
          for await (const r of rows) stored.push({ listened_at: r.listened_at.getTime(), source: r.source, song_id: r.song_id, artist: r.artist, title: r.title });
        }
        const keep = selectNewPlays(list, stored).fresh;
        duplicates += list.length - keep.length;
        return [slice, keep] as [string, ListenEvent[]];
      });
      fresh = filtered.filter(([, l]) => l.length > 0);
    }
    const changed = new Map<string, Set<string>>();
    if (timing) timing.dedupe_us += usSince(t0);
    t0 = process.hrtime.bigint();
    if (fresh.length === 0) return { counted: 0, duplicates, changed };

    // 3. intent naming the slices about to change
    const batchId = cassandra.types.TimeUuid.now();
    const sliceNames = fresh.map(([s]) => s.replace(SEP, '|'));
    await this.exec(INSERT_INTENT, [this.stream, kafkaPartition, batchId, sliceNames, new Date(this.now())]);

    // 4. raw listens, user_days, tracks
    const now = this.now();
    const retentionMs = this.opts.retentionDays * DAY_MS;
    const newListens: ListenEvent[] = [];
    for (const [, list] of fresh) newListens.push(...list);
    // one unlogged batch per (user, day) partition: a single-partition batch is one mutation on one replica set
    const rawBatches: Query[][] = [];
    for (const [slice, list] of fresh) {
      const day = localDate(slice.slice(slice.indexOf(SEP) + 1));
      const qs = list.map((e): Query => {
        const ttl = Math.max(1, Math.ceil((e.listened_at + retentionMs - now) / 1000));
        return { query: INSERT_LISTEN, params: [e.user_id, day, new Date(e.listened_at), e.source, e.song_id, e.title, e.artist, e.album ?? null, ttl] };
      });
      rawBatches.push(...chunks(qs));
    }
    await mapLimit(rawBatches, this.concurrency, (b) => this.batch(b, false));
    const tracks = new Map<string, ListenEvent>();
    for (const e of newListens) {
      const sig = `${e.title}${SEP}${e.artist}${SEP}${e.album ?? ''}`;
      if (this.knownTracks.get(e.song_id) !== sig) tracks.set(e.song_id, e);
    }
    // user_days is partitioned by user and day_users by day: one batch per partition, not two writes per slice
    const dayIndex = new Map<string, Query[]>();
    for (const [slice] of fresh) {
      const i = slice.indexOf(SEP);
      const user = slice.slice(0, i);
      const day = localDate(slice.slice(i + 1));
      addTo(dayIndex, `u${SEP}${user}`, { query: INSERT_USER_DAY, params: [user, day] });
      addTo(dayIndex, `d${SEP}${slice.slice(i + 1)}`, { query: INSERT_DAY_USER, params: [day, user] });
    }
    const indexBatches: Query[][] = [];
    for (const qs of dayIndex.values()) indexBatches.push(...chunks(qs));
    await mapLimit(
      [...indexBatches.map((b) => ['d', b] as const), ...[...tracks.values()].map((e) => ['t', e] as const)],
      this.concurrency,
      async ([kind, v]) => {
        if (kind === 'd') {
          await this.batch(v as Query[], false);
        } else {
          const e = v as ListenEvent;
          await this.exec(UPSERT_TRACK, [e.song_id, e.title, e.artist, e.album ?? null]);
          this.rememberTrack(e.song_id, `${e.title}${SEP}${e.artist}${SEP}${e.album ?? ''}`);
        }
      },
    );

    if (timing) timing.raw_us += usSince(t0);
    t0 = process.hrtime.bigint();

    // 5. pre-aggregated counter updates for new listens only
    const perUser = new Map<string, number>();
    const perGlobal = new Map<string, number>();
    for (const e of newListens) {
      const day = utcDay(e.listened_at);
      const uk = e.user_id + SEP + day + SEP + e.song_id;
      perUser.set(uk, (perUser.get(uk) ?? 0) + 1);
      const gk = day + SEP + e.song_id;
      perGlobal.set(gk, (perGlobal.get(gk) ?? 0) + 1);
      let days = changed.get(e.user_id);
      if (!days) changed.set(e.user_id, (days = new Set()));
      days.add(day);
    }
    // counter batches grouped by partition: (user, day) for user counts, day for global counts
    const byPartition = new Map<string, Query[]>();
    for (const [k, n] of perUser) {
      const [u, d, s] = k.split(SEP) as [string, string, string];
      addTo(byPartition, `u${SEP}${u}${SEP}${d}`, { query: INCR_USER, params: [n, u, localDate(d), s] });
    }
    for (const [k, n] of perGlobal) {
      const [d, s] = k.split(SEP) as [string, string];
      addTo(byPartition, `g${SEP}${d}`, { query: INCR_GLOBAL, params: [n, localDate(d), s] });
    }
    // plays per (user, day) and per (day, shard) for the activity charts (cql/0005)
    const perUserDay = new Map<string, number>();
    const perDayShard = new Map<string, number>();
    for (const [k, n] of perUser) {
      const [u, d] = k.split(SEP) as [string, string];
      perUserDay.set(u + SEP + d, (perUserDay.get(u + SEP + d) ?? 0) + n);
      const ds = d + SEP + shardOf(u);
      perDayShard.set(ds, (perDayShard.get(ds) ?? 0) + n);
    }
    for (const [k, n] of perUserDay) {
      const [u, d] = k.split(SEP) as [string, string];
      addTo(byPartition, `t${SEP}${u}`, { query: INCR_USER_DAY_TOTAL, params: [n, u, localDate(d)] });
    }
    for (const [k, n] of perDayShard) {
      const [d, shard] = k.split(SEP) as [string, string];
      addTo(byPartition, `s${SEP}${k}`, { query: INCR_DAY_TOTAL, params: [n, localDate(d), Number(shard)] });
    }
    const counterBatches: Query[][] = [];
    for (const qs of byPartition.values()) counterBatches.push(...chunks(qs));
    await mapLimit(counterBatches, this.concurrency, (b) => this.batch(b, true));
    this.opts.afterCounters?.();

    // 6. the batch is fully applied: drop the intent
    await this.exec(DELETE_INTENT, [this.stream, kafkaPartition, batchId]);
    if (timing) timing.counts_us += usSince(t0);
    return { counted: newListens.length, duplicates, changed };
  }

  /**
   * Recover after a crash or a failed counter write: for every pending intent
   * of the partition, recompute its (user, day) counts from the raw listens,
   * then delete the intent. Returns the number of intents recovered.
   */
  async recoverPartition(kafkaPartition: number): Promise<{ intents: number; fixes: number }> {
    const rs = await this.db.execute(SELECT_INTENTS, [this.stream, kafkaPartition], { prepare: true });
    const legacy = await this.db.execute(SELECT_LEGACY_INTENTS, [kafkaPartition], { prepare: true });
    const pending = [...rs.rows.map((row) => ({ row, legacy: false })), ...legacy.rows.map((row) => ({ row, legacy: true }))];
    let fixes = 0;
    for (const { row, legacy: isLegacy } of pending) {
      const slices: string[] = (row.user_days as string[] | null) ?? [];
      // user counts: exact from the raw listens of each slice
      const parsed = slices.map((s) => {
        const i = s.lastIndexOf('|');
        return [s.slice(0, i), s.slice(i + 1)] as const;
      });
      const results = await mapLimit(parsed, 8, ([u, d]) => recomputeUserDay(this.db, u, d, { global: false }));
      // global counts: a crash may have applied any subset of the batch's global increments,
      // so re-derive each touched (day, song) from the sum over the day's users
      const songsByDay = new Map<string, Set<string>>();
      for (const [u, d] of parsed) {
        let set = songsByDay.get(d);
        if (!set) songsByDay.set(d, (set = new Set()));
        const raw = this.db.stream('SELECT song_id FROM listens WHERE user_id = ? AND day = ?', [u, d], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<{ song_id: string }>;
        let any = false;
        for await (const r of raw) {
          set.add(r.song_id);
          any = true;
        }
        // a crash between the raw listens and the user_days/day_users rows left the slice unindexed: global
        // counts are re-derived over day_users (below) and a replay finds every listen stored, so write them now
        if (any) {
          await this.exec(INSERT_USER_DAY, [u, localDate(d)]);
          await this.exec(INSERT_DAY_USER, [localDate(d), u]);
        }
      }
      for (const r of results) for (const f of r) songsByDay.get(f.day)?.add(f.song_id);
      let globalFixes = 0;
      for (const [d, songs] of songsByDay) globalFixes += (await recomputeGlobalSongs(this.db, d, [...songs])).length;
      // play totals the same way: each slice's from its raw listens, each touched day's shards from the users' totals
      const totalDeltas = await mapLimit(parsed, 8, ([u, d]) => recomputeUserDayTotal(this.db, u, d, { global: false }));
      globalFixes += totalDeltas.filter((n) => n !== 0).length;
      for (const d of songsByDay.keys()) globalFixes += (await recomputeDayTotals(this.db, d, await usersOfDay(this.db, d))).length;
      const n = results.reduce((a, r) => a + r.length, 0);
      fixes += n + globalFixes;
      if (isLegacy) await this.exec(DELETE_LEGACY_INTENT, [kafkaPartition, row.batch_id]);
      else await this.exec(DELETE_INTENT, [this.stream, kafkaPartition, row.batch_id]);
      this.log.warn(
        { kafka_partition: kafkaPartition, batch_id: String(row.batch_id), slices: slices.length, user_fixes: n, global_fixes: globalFixes },
        'recovered pending intent',
      );
    }
    return { intents: pending.length, fixes };
  }

  private rememberTrack(songId: string, sig: string): void {
    if (this.knownTracks.size > 50_000) this.knownTracks.clear();
    this.knownTracks.set(songId, sig);
  }
}
