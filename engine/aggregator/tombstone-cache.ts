/**
 * The aggregator's deleted_users answers, kept while the deletion generation
 * (cql/0011) has not changed, so the GDPR check of a chunk reads one row instead
 * of one deleted_users partition per user.
 *
 * Why the barrier holds (engine/api/gdpr.ts, cql/0008): a chunk records itself in
 * flight, then reads the generation g, then looks its users up here, reading
 * deleted_users for those not known at g. The DELETE writes its tombstone, then
 * increments the generation, then waits for the chunks in flight. An answer kept
 * at g came from a deleted_users read made after g was read, so it holds every
 * tombstone whose increment was counted in g. A tombstone whose increment came
 * later either raised the generation before the chunk read it (the chunk reads
 * g' > g: everything kept is dropped and read again) or after: the chunk was in
 * flight before that increment, hence before the DELETE read the chunks in
 * flight, and the DELETE waits for it — the same case as a chunk that read
 * deleted_users just before the tombstone. A chunk that read an older generation
 * than the one kept uses the newer answers (read after its own generation) and
 * adds none of its own.
 */
export class TombstoneCache {
  private generation = -1;
  /** user → deleted_at (ms), or null: no tombstone at `generation` */
  private readonly known = new Map<string, number | null>();

  /** At most `max` users (~100 bytes each); reaching it forgets them, which costs a read, never a check. */
  constructor(private readonly max = 50_000) {}

  /** The users' tombstones known at `generation` (or newer) and the users to read from deleted_users. */
  lookup(users: Iterable<string>, generation: number): { deleted: Map<string, number>; unknown: string[] } {
    if (generation > this.generation) {
      this.generation = generation;
      this.known.clear();
    }
    const deleted = new Map<string, number>();
    const unknown: string[] = [];
    for (const u of users) {
      const d = this.known.get(u);
      if (d === undefined) unknown.push(u);
      else if (d !== null) deleted.set(u, d);
    }
    return { deleted, unknown };
  }

  /** deleted_users answered `deleted` for `users`, read after `generation` was read. */
  learned(users: string[], generation: number, deleted: Map<string, number>): void {
    if (generation !== this.generation) return;
    if (this.known.size + users.length > this.max) this.known.clear();
    for (const u of users) this.known.set(u, deleted.get(u) ?? null);
  }
}
