import { WrittenListens } from './written-listens';
import type { PartitionIdentity } from './written-listens';

/**
 * What this process knows of the raw listens stored in each (user, day)
 * partition: an upper bound of their `listened_at`. A listen later than the
 * bound by more than the same-play tolerance can match no stored listen, so the
 * dedupe read of a slice whose new listens all are is skipped (a crawl in time
 * order: every chunk after a slice's first).
 *
 * Sound because only the owner of a user's Kafka partition writes the user's
 * raw listens (the key is the user id): a bound is learnt from a read that
 * covers everything stored from some time on, raised by this process's own
 * writes, and never has to fall (deletions — GDPR, janitor, TTL — keep it an
 * upper bound). Everything is forgotten when the owner may have changed (a new
 * assignment) and when a write or recovery may have left rows this process did
 * not note (a failed write): `clear`. A write started before a `clear` notes
 * nothing (`epoch`).
 *
 * **Days learnt from user_days** (`learnedDays`): one read of a user's user_days rows
 * says "nothing stored" (bound −∞) for every day from `from` on that it does not
 * name, so the first visit of a new slice reads nothing. That rests on the
 * invariant *raw listens in (user, day) ⇒ a user_days row*, at the moment of the
 * read, for every writer and every path that removes user_days rows:
 * - The writer writes the user_days row after the raw batch (listen-writer.ts, step 5),
 *   inside the chunk's intent. A crash or a failed write between the two leaves
 *   the intent pending, and its recovery (`recoverIntent`) writes the index rows of
 *   every slice it finds raw listens in. The aggregator recovers a partition's intents
 *   before its first chunk of an assignment and after every failed write, and both
 *   `clear` this (a new epoch): no user_days read of the epoch precedes the recovery.
 *   A raw row the recovery could not see (a node down, read at the client's level)
 *   is not in the counts it recomputed either, so counting it at its replay is right;
 *   the kept intent is recomputed again at ALL later.
 * - The writer skips index rows it wrote before (`indexed`); only a GDPR delete
 *   removes them meanwhile. A deleted user's chunks may race the deletion's sweep
 *   (listens published after the tombstone are kept and written while the sweep
 *   deletes user_days), so raw rows may outlive their index row: the writer never
 *   asks user_days about a user with a tombstone (`tombstoned`, read by the
 *   aggregator's barrier check of the same chunk, never cached), and forgets what it
 *   learnt of them (`forgetUsers`).
 * - The janitor deletes user_days rows of days before its cutoff, whose raw listens
 *   have expired by TTL; `from` (a day after the oldest listen the aggregator
 *   accepts) keeps the days at the retention edge out of it, against clock skew.
 * - TTL expiry of raw listens while user_days stays only makes a read needless.
 * - Two aggregators or a rebalance: the user's partition has one owner per
 *   assignment, and a new assignment clears everything (`clear`), so days are read
 *   again from user_days after the other owner's writes and recoveries.
 * - This process's own writes add their days to what it learnt (`wrote`), so a
 *   day it wrote is never "nothing stored" afterwards.
 *
 * **Listens written** (`holds`, written-listens.ts): the identities this process
 * wrote in the epoch, so a copy of one is dropped without a read. A deletion
 * removes rows, which a bound survives but an identity does not: the same
 * `forgetUsers` (GDPR) and `clear` drop them, and TTL and the janitor remove only
 * listens the aggregator no longer accepts.
 */
export class StoredBounds {
  private readonly bounds = new Map<string, number>();
  /** the identities of the listens this process wrote, per partition */
  private readonly written: WrittenListens;
  /** users whose user_days rows were read: their days there (and days written since), and the first day the absence of a day is trusted from */
  private readonly userDays = new Map<string, { days: Set<string>; from: string }>();
  private userDaysSize = 0;
  private current = 0;

  /**
   * At most `max` partitions (~150 bytes of heap each: 50 000 ≈ 7.5 MB of the aggregator's 96 MB old
   * generation); reaching it forgets everything, which costs one dedupe read per slice, never a count.
   * 50 000 is far above what a crawl in time order touches between two visits of a slice (one chunk of
   * each of 6 partitions: ~400 slices each at 1 000 users).
   */
  constructor(
    private readonly max = 50_000,
    written = new WrittenListens(),
  ) {
    this.written = written;
  }

  /** Taken when a write starts; what it learns is dropped if `clear` ran meanwhile. */
  epoch(): number {
    return this.current;
  }

  /** Upper bound of the listened_at stored in (user, day), or undefined when unknown; −∞ when nothing is stored there. */
  upTo(user: string, day: string): number | undefined {
    const b = this.bounds.get(key(user, day));
    if (b !== undefined) return b;
    const u = this.userDays.get(user);
    return u && day >= u.from && !u.days.has(day) ? -Infinity : undefined;
  }

  /** Whether the user's user_days rows were read in this epoch (and not forgotten). */
  knowsDaysOf(user: string): boolean {
    return this.userDays.has(user);
  }

  /**
   * A read of the user's user_days rows named `days`: every day from `from` on that it does not
   * name holds no raw listen (the invariant in this file's comment).
   */
  learnedDays(epoch: number, user: string, days: Set<string>, from: string): void {
    if (epoch !== this.current) return;
    if (this.userDaysSize + days.size + 1 > this.max) this.forgetDays();
    this.userDaysSize += days.size + 1;
    this.userDays.set(user, { days, from });
  }

  /** A read returned every listen of (user, day) stored at `from` or later; `latest` is the newest of them (undefined: none). */
  learned(epoch: number, user: string, day: string, from: number, latest: number | undefined): void {
    if (epoch !== this.current) return;
    if (this.bounds.size >= this.max) this.bounds.clear();
    this.bounds.set(key(user, day), latest ?? from - 1);
  }

  /**
   * This process stored the listens in (user, day): a known bound rises to the newest of them, and
   * copies of them are known stored from now on (`holds`).
   */
  wrote(epoch: number, user: string, day: string, listens: readonly PartitionIdentity[]): void {
    if (epoch !== this.current || listens.length === 0) return;
    let latest = -Infinity;
    for (const l of listens) if (l.listened_at > latest) latest = l.listened_at;
    this.written.wrote(key(user, day), listens);
    const b = this.upTo(user, day);
    const u = this.userDays.get(user);
    if (u && !u.days.has(day)) {
      u.days.add(day);
      this.userDaysSize++;
    }
    if (b !== undefined && latest > b) this.bounds.set(key(user, day), latest);
  }

  /** Whether this process stored a listen with the identity of `l` in (user, day) (a copy needs no dedupe read). */
  holds(user: string, day: string, l: PartitionIdentity): boolean {
    return this.written.holds(key(user, day), l);
  }

  /** Forget the users' partitions. */
  forgetUsers(users: Iterable<string>): void {
    const gone = new Set(users);
    if (gone.size === 0) return;
    const ofGone = (k: string): boolean => gone.has(k.slice(0, k.indexOf('\u0001')));
    for (const k of this.bounds.keys()) if (ofGone(k)) this.bounds.delete(k);
    this.written.forget(ofGone);
    for (const u of gone) {
      const known = this.userDays.get(u);
      if (!known) continue;
      this.userDaysSize -= known.days.size + 1;
      this.userDays.delete(u);
    }
  }

  /** Forget everything. */
  clear(): void {
    this.current++;
    this.bounds.clear();
    this.written.clear();
    this.forgetDays();
  }

  /** Bounds, users' days and written listens known (a user's days count one each, plus one for the user). */
  get size(): number {
    return this.bounds.size + this.userDaysSize + this.written.size;
  }

  private forgetDays(): void {
    this.userDays.clear();
    this.userDaysSize = 0;
  }
}

const key = (user: string, day: string): string => `${user}\u0001${day}`;
