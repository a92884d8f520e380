import type { Logger } from '../shared/logger';
import type { ListenEvent } from '../shared/listen-event';
import { identityKey, utcDay, DAY_MS } from '../shared/listen-identity';
import { playsPerRow } from '../shared/chart-rows';
import { mapLimit } from '../shared/concurrency';
import type { SlicePlays } from '../shared/store/counts';
import type { ListenSlice, StoredKnowledge } from '../shared/store/listens';
import type { Store } from '../shared/store/store';
import { GLOBAL_SCOPE, UNKNOWN_ARTIST, rankedScopes, userScope } from '../shared/ranked-sets';
import type { RankedSets, ScopeDayPlays } from '../shared/ranked-sets';
import { readingAt } from '../shared/cassandra';
import type { Intent } from '../shared/store/intents';
import { createStore } from '../shared/store/store';
import { recomputeGlobalSongs, recomputeUserDay } from './recompute';
import { keepsIntent } from './intent-verification';
import { StoredBounds } from './stored-bounds';
import type { PartitionRecovery, RecoveryReads } from './intent-verification';

export interface WriteResult {
  /** listens written and counted for the first time */
  counted: number;
  /** duplicates of listens already stored or repeated in the batch */
  duplicates: number;
  /** user → days whose counts changed */
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

export interface ListenWriterOptions {
  store: Store;
  /** the sets reads are served from: every counter change here reaches them */
  ranked: RankedSets;
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
  /** test hook (crash tests): called after the counters are written, before the intent is deleted */
  afterCounters?: () => void;
  /** test hook (two aggregators racing): awaited after the user counters of a chunk, before its global ones */
  afterUserCounters?: () => Promise<void>;
  now?: () => number;
}

/** The listens of one (user, day) in a chunk. */
type Slice = ListenSlice<ListenEvent>;

/** Step 2: drop repeats inside the chunk (same identity) and group the rest by (user, day). */
function sliceByUserDay(events: ListenEvent[]): { slices: Slice[]; repeats: number } {
  const byUser = new Map<string, Map<string, Slice>>();
  const slices: Slice[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    const id = identityKey(e);
    if (seen.has(id)) continue;
    seen.add(id);
    const day = utcDay(e.listened_at);
    let days = byUser.get(e.user_id);
    if (!days) byUser.set(e.user_id, (days = new Map()));
    let slice = days.get(day);
    if (!slice) {
      days.set(day, (slice = { user: e.user_id, day, listens: [] }));
      slices.push(slice);
    }
    slice.listens.push(e);
  }
  return { slices, repeats: events.length - seen.size };
}

/** The ranked sets' share of step 6: each slice's plays for its user, and summed per day for global. */
function rankedPlays(slices: SlicePlays[]): ScopeDayPlays[] {
  const global = new Map<string, Map<string, number>>();
  const out: ScopeDayPlays[] = [];
  for (const s of slices) {
    out.push({ scope: userScope(s.user), day: s.day, plays: s.plays });
    let g = global.get(s.day);
    if (!g) global.set(s.day, (g = new Map()));
    for (const [song, n] of s.plays) g.set(song, (g.get(song) ?? 0) + n);
  }
  for (const [day, plays] of global) out.push({ scope: GLOBAL_SCOPE, day, plays });
  return out;
}

/**
 * The artist of each chart row as the tracks table holds it: a listen whose own id is the row wrote its
 * artist there in step 5 (the last such listen wins, as there); a row counted under another source's id
 * is left to the artist the ranked sets already know (UNKNOWN_ARTIST).
 */
function artistsOf(slices: Slice[], rowOf: (l: ListenEvent) => string): Map<string, string> {
  const artists = new Map<string, string>();
  for (const s of slices) {
    for (const l of s.listens) {
      const row = rowOf(l);
      if (row === l.song_id) artists.set(row, l.artist);
      else if (!artists.has(row)) artists.set(row, UNKNOWN_ARTIST);
    }
  }
  return artists;
}

/** Step 6's pre-aggregation: new plays per chart row of a slice. */
function playsOf(slice: Slice, rowOf: (l: ListenEvent) => string): SlicePlays {
  return { user: slice.user, day: slice.day, plays: playsPerRow(slice.listens, rowOf) };
}

const listenCount = (slices: Slice[]): number => slices.reduce((n, s) => n + s.listens.length, 0);

/** Accumulates the wall time of consecutive stages into a WriteTiming. */
function stageClock(timing: WriteTiming | undefined): (stage: keyof WriteTiming) => void {
  let t0 = process.hrtime.bigint();
  return (stage) => {
    const t = process.hrtime.bigint();
    if (timing) timing[stage] += Number((t - t0) / 1000n);
    t0 = t;
  };
}

/**
 * The exact-count write path of one chunk: steps 2–7 of the README's "Exact
 * counts" (step 1, validation, is the aggregator's). Raw listens are the
 * idempotent truth, counters change only for listens not stored before, and a
 * write-ahead intent makes every partial chunk recomputable.
 */
export class ListenWriter {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly dedupe: boolean;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly stream: string;
  /** the same tables, read at consistency ALL: what a recovery reads when every node is up */
  private readonly atAll: Store;
  /**
   * (user, day)s whose user_days/day_users rows this process wrote: written again only after
   * forgetUsers (a GDPR delete removes them) or when the set is reset at its bound. The janitor
   * removes only days before retention, whose listens the aggregator no longer accepts.
   */
  private readonly indexed = new Set<string>();
  /** per (user, day): the newest listen stored there as far as this process knows, so the dedupe read of later listens is skipped */
  private readonly stored = new StoredBounds();

  constructor(private readonly opts: ListenWriterOptions) {
    this.store = opts.store;
    this.log = opts.log;
    this.dedupe = opts.dedupe !== false;
    this.concurrency = opts.concurrency ?? 64;
    this.now = opts.now ?? Date.now;
    this.stream = opts.stream ?? 'default';
    this.atAll = createStore(readingAt(opts.store.db, 'ALL'));
  }

  /**
   * `tombstoned`: the chunk's users with a GDPR tombstone (the aggregator's barrier check of this chunk):
   * their user_days rows are never taken as the list of their stored days (stored-bounds.ts).
   */
  async write(events: ListenEvent[], kafkaPartition: number, timing?: WriteTiming, tombstoned: ReadonlySet<string> = NONE): Promise<WriteResult> {
    const epoch = this.stored.epoch();
    try {
      return await this.writeChunk(events, kafkaPartition, epoch, tombstoned, timing);
    } catch (err) {
      // some rows of the chunk may be stored without their bounds noted: read every slice again
      this.stored.clear();
      throw err;
    }
  }

  private async writeChunk(events: ListenEvent[], kafkaPartition: number, epoch: number, tombstoned: ReadonlySet<string>, timing?: WriteTiming): Promise<WriteResult> {
    const { listens, counts, intents, tracks } = this.store;
    const lap = stageClock(timing);
    // 2. dedupe inside the chunk by identity, grouped into (user, day) slices
    const { slices } = sliceByUserDay(events);
    // 3. dedupe path: keep only the listens not stored yet (one range read per slice, none when its stored listens are all
    // older or its day has no user_days row)
    const fresh = this.dedupe ? await this.unstored(slices, epoch, tombstoned) : slices;
    const counted = listenCount(fresh);
    const result: WriteResult = { counted, duplicates: events.length - counted, changed: changedDays(fresh) };
    lap('dedupe_us');
    if (fresh.length === 0) return result;

    // 4. the intent names the slices about to change
    const intent = await intents.open(this.stream, kafkaPartition, fresh, this.now());
    // 5. raw listens (TTL from the listen's own time), the day indexes, track metadata
    const now = this.now();
    const retentionMs = this.opts.retentionDays * DAY_MS;
    await listens.write(fresh, (listenedAt) => Math.max(1, Math.ceil((listenedAt + retentionMs - now) / 1000)), this.concurrency);
    for (const s of fresh) this.stored.wrote(epoch, s.user, s.day, s.listens);
    const all = fresh.flatMap((s) => s.listens);
    const [, , rowOf] = await Promise.all([
      this.indexDays(fresh, kafkaPartition),
      tracks.upsert(all, this.concurrency),
      // each listen's chart row: one row per track whichever source named it (engine/shared/chart-rows.ts)
      this.store.trackNames.chartRows(all, this.concurrency),
    ]);
    lap('raw_us');

    // 6. one counter update per (user, day, chart row) and per (day, chart row), new listens only; then the same plays to the ranked sets
    const plays = fresh.map((s) => playsOf(s, rowOf));
    await counts.increment(plays, this.concurrency, kafkaPartition, { afterUserCounters: this.opts.afterUserCounters });
    await this.opts.ranked.increment(rankedPlays(plays), artistsOf(fresh, rowOf));
    this.opts.afterCounters?.();
    // 7. the chunk is fully applied: drop the intent (the aggregator then commits and invalidates)
    await intents.close(intent);
    lap('counts_us');
    return result;
  }

  /** user_days/day_users rows of the slices this process has not written yet. */
  private async indexDays(slices: Slice[], shard: number): Promise<void> {
    const todo = slices.filter((s) => !this.indexed.has(indexKey(s, shard)));
    if (todo.length === 0) return;
    await this.store.counts.indexDays(todo, this.concurrency, shard);
    if (this.indexed.size + todo.length > INDEXED_MAX) this.indexed.clear();
    for (const s of todo) this.indexed.add(indexKey(s, shard));
  }

  /** The users' index rows may have been deleted (GDPR): write them again with their next listens. */
  forgetUsers(users: Iterable<string>): void {
    const gone = new Set(users);
    if (gone.size === 0) return;
    for (const k of this.indexed) if (gone.has(k.slice(0, k.indexOf('\u0001')))) this.indexed.delete(k);
    this.stored.forgetUsers(gone);
  }

  /** A new assignment: another process may have written the partitions' listens meanwhile. */
  forgetStored(): void {
    this.stored.clear();
  }

  /** The slices with only their listens not stored yet; empty slices left out. */
  private async unstored(slices: Slice[], epoch: number, tombstoned: ReadonlySet<string>): Promise<Slice[]> {
    await this.learnDays(slices, epoch, tombstoned);
    const known: StoredKnowledge = {
      upTo: (user, day) => this.stored.upTo(user, day),
      learned: (user, day, from, latest) => this.stored.learned(epoch, user, day, from, latest),
    };
    const kept = await mapLimit(slices, this.concurrency, async (s) => {
      // copies of listens this process wrote are stored: the rest is what the read decides on
      const rest = s.listens.filter((l) => !this.stored.holds(s.user, s.day, l));
      if (rest.length === 0) return rest;
      return this.store.listens.unstored(rest.length === s.listens.length ? s : { ...s, listens: rest }, known);
    });
    return slices.map((s, i) => ({ ...s, listens: kept[i]! })).filter((s) => s.listens.length > 0);
  }

  /**
   * The user_days rows of the slices' users whose stored days this process does not know yet (one
   * `IN` read per 100 users): a day they do not name holds no raw listen, so its slices are not read
   * (the exactness argument is in stored-bounds.ts). Users with a tombstone are left out.
   */
  private async learnDays(slices: Slice[], epoch: number, tombstoned: ReadonlySet<string>): Promise<void> {
    const users = new Set<string>();
    for (const s of slices) {
      if (!tombstoned.has(s.user) && !this.stored.knowsDaysOf(s.user) && this.stored.upTo(s.user, s.day) === undefined) users.add(s.user);
    }
    if (users.size === 0) return;
    // the UTC day after that of the oldest listen accepted (a day later on the clock is in the next UTC day):
    // user_days rows the janitor removes are older (clock skew aside)
    const from = utcDay(this.now() - (this.opts.retentionDays - 1) * DAY_MS);
    const days = await this.store.counts.daysOfUsers([...users], this.concurrency);
    for (const [user, ds] of days) this.stored.learnedDays(epoch, user, ds, from);
  }

  /**
   * Recover after a crash or a failed counter write: for every pending intent
   * of the partition, recompute its (user, day) counts from the raw listens,
   * then delete the intent. With every node up (`nodesUp`, the default) the
   * counters are read at ALL; otherwise, or when a read at ALL fails, at the
   * client's level, and the intent is kept (cql/0009) for the owner to recover
   * again once every node is up (intent-verification.ts). `owned`, asked before each intent, stops
   * the recovery early once the partition may belong to another consumer.
   */
  async recoverPartition(kafkaPartition: number, opts: { nodesUp?: boolean; owned?: () => boolean } = {}): Promise<PartitionRecovery> {
    // a recovery follows a new assignment, a failed write or a node's return: what was stored may have changed without this process
    this.stored.clear();
    const pending = await this.store.intents.pending(this.stream, kafkaPartition);
    const out: PartitionRecovery = { intents: 0, fixes: 0, kept: 0, allFailed: false };
    for (const intent of pending) {
      // the partition went to another consumer meanwhile: it recovers what is left before its first batch
      if (opts.owned && !opts.owned()) break;
      out.intents++;
      let reads: RecoveryReads = 'node-down';
      let fixed: { user: number; global: number } | undefined;
      if (opts.nodesUp !== false) {
        try {
          fixed = await this.recoverIntent(intent, this.atAll, kafkaPartition);
          reads = 'all';
        } catch (err) {
          reads = 'all-failed';
          out.allFailed = true;
          this.log.warn({ kafka_partition: kafkaPartition, batch_id: String(intent.batchId), err: (err as Error).message }, 'recovery at consistency ALL failed; recovering at the client level and keeping the intent');
        }
      }
      fixed ??= await this.recoverIntent(intent, this.store, kafkaPartition);
      out.fixes += fixed.user + fixed.global;
      const kept = keepsIntent(reads);
      if (kept) {
        await this.store.intents.keep(intent, this.now());
        out.kept++;
      } else {
        await this.store.intents.close(intent);
      }
      this.log.warn(
        {
          kafka_partition: kafkaPartition,
          batch_id: String(intent.batchId),
          slices: intent.slices.length,
          user_fixes: fixed.user,
          global_fixes: fixed.global,
          reads,
          kept,
          recovered_before: intent.recoveredAt?.toISOString(),
        },
        kept ? 'recovered pending intent; kept until every node is up' : 'recovered pending intent',
      );
    }
    return out;
  }

  /**
   * One intent's recompute through `store` (whose reads run at ALL or at the client's level): user
   * counts and play totals of its slices from their raw listens, the touched global cells and the
   * touched days' play totals of the partition's shard from the counts of the shard's users.
   */
  private async recoverIntent(intent: Intent, store: Store, kafkaPartition: number): Promise<{ user: number; global: number }> {
    // user counts: exact from the raw listens of each slice
    const results = await mapLimit(intent.slices, 8, (s) => recomputeUserDay(store, s.user, s.day, { global: false }));
    // a crash between the raw listens and the user_days/day_users rows left a slice unindexed: global
    // counts are re-derived over day_users (below) and a replay finds every listen stored, so write them now
    const stored = intent.slices.filter((_, i) => results[i]!.rawSongs.length > 0);
    await store.counts.indexDays(stored, 8, kafkaPartition);
    // global counts: a crash may have applied any subset of the batch's global increments,
    // so re-derive each touched (day, song) of this partition's shard from the sum over the shard's users
    // (no other aggregator writes this shard: no race with their increments)
    const songsByDay = new Map<string, Set<string>>();
    intent.slices.forEach((s, i) => {
      let set = songsByDay.get(s.day);
      if (!set) songsByDay.set(s.day, (set = new Set()));
      for (const song of results[i]!.rawSongs) set.add(song);
      for (const f of results[i]!.fixes) set.add(f.song_id);
    });
    let globalFixes = 0;
    for (const [d, songs] of songsByDay) globalFixes += (await recomputeGlobalSongs(store, d, kafkaPartition, [...songs])).length;
    // play totals the same way: each slice's from its raw listens, each touched day's total in this partition's shard
    // from the sum over the shard's users (never another partition's shard: its owner may be mid-batch)
    const totalDeltas = await mapLimit(intent.slices, 8, (s) => store.playTotals.recomputeUserDay(s.user, s.day));
    globalFixes += totalDeltas.filter((n) => n !== 0).length;
    for (const d of songsByDay.keys()) {
      if (await store.playTotals.recomputeShard(d, kafkaPartition, await store.counts.usersOnShard(d, kafkaPartition))) globalFixes++;
    }
    // the ranked sets may hold any subset of the batch's increments: rebuilt from the counters on the next read
    await this.opts.ranked.drop(rankedScopes(intent.slices));
    return { user: results.reduce((a, r) => a + r.fixes.length, 0), global: globalFixes };
  }
}

/**
 * Bound of ListenWriter's written-index set: ~150 bytes of heap an entry, so 50 000 ≈ 7.5 MB of the
 * aggregator's 96 MB old generation (200 000 was ~30 MB). Clearing it only rewrites index rows
 * (idempotent inserts) once per (user, day).
 */
const INDEXED_MAX = 50_000;
const indexKey = (s: { user: string; day: string }, shard: number): string => `${s.user}\u0001${s.day}\u0001${shard}`;

const NONE: ReadonlySet<string> = new Set();

/** user → days of the slices. */
function changedDays(slices: Slice[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of slices) {
    let days = out.get(s.user);
    if (!days) out.set(s.user, (days = new Set()));
    days.add(s.day);
  }
  return out;
}
