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
 */
export class StoredBounds {
  private readonly bounds = new Map<string, number>();
  private current = 0;

  /**
   * At most `max` partitions (~150 bytes of heap each: 50 000 ≈ 7.5 MB of the aggregator's 96 MB old
   * generation); reaching it forgets everything, which costs one dedupe read per slice, never a count.
   * 50 000 is far above what a crawl in time order touches between two visits of a slice (one chunk of
   * each of 6 partitions: ~400 slices each at 1 000 users).
   */
  constructor(private readonly max = 50_000) {}

  /** Taken when a write starts; what it learns is dropped if `clear` ran meanwhile. */
  epoch(): number {
    return this.current;
  }

  /** Upper bound of the listened_at stored in (user, day), or undefined when unknown. */
  upTo(user: string, day: string): number | undefined {
    return this.bounds.get(key(user, day));
  }

  /** A read returned every listen of (user, day) stored at `from` or later; `latest` is the newest of them (undefined: none). */
  learned(epoch: number, user: string, day: string, from: number, latest: number | undefined): void {
    if (epoch !== this.current) return;
    if (this.bounds.size >= this.max) this.bounds.clear();
    this.bounds.set(key(user, day), latest ?? from - 1);
  }

  /** This process stored listens up to `latest` in (user, day): a known bound rises to it. */
  wrote(epoch: number, user: string, day: string, latest: number): void {
    if (epoch !== this.current) return;
    const k = key(user, day);
    const b = this.bounds.get(k);
    if (b !== undefined && latest > b) this.bounds.set(k, latest);
  }

  /** Forget the users' partitions. */
  forgetUsers(users: Iterable<string>): void {
    const gone = new Set(users);
    if (gone.size === 0) return;
    for (const k of this.bounds.keys()) if (gone.has(k.slice(0, k.indexOf('\u0001')))) this.bounds.delete(k);
  }

  /** Forget everything. */
  clear(): void {
    this.current++;
    this.bounds.clear();
  }

  get size(): number {
    return this.bounds.size;
  }
}

const key = (user: string, day: string): string => `${user}\u0001${day}`;
