/** What identifies a listen inside its (user, day) partition: the rest of its identity (CONTRACT.md). */
export interface PartitionIdentity {
  source: string;
  listened_at: number;
  song_id: string;
}

/** One partition's identities: (listened_at, code) pairs sorted by time, then code. */
interface Written {
  pairs: Float64Array;
  length: number;
}

/**
 * The identities of the listens this process wrote per (user, day) partition, so a copy of one of
 * them (a re-crawl's overlap, a replayed or re-published event) is known to be stored without a
 * dedupe read. A copy has the same identity, so it is the same row: dropping it is right whatever
 * else the partition holds, and it takes no part in the same-play pairing of the others
 * (same-play.ts skips identity matches before pairing).
 *
 * Sound for as long as the rows stay stored, which is what StoredBounds' epoch and forgetUsers
 * already guard (this is one of its parts): a GDPR delete of a user is seen by the barrier check
 * of every chunk that holds the user's listens, before the chunk's dedupe, and forgets them; TTL
 * expiry and the janitor remove only listens older than what the aggregator accepts.
 *
 * Compact on purpose (the aggregator's old generation is 96 MB): a pair of doubles a listen in one
 * typed array a partition, song ids and sources interned once. Past `maxListens` the partitions
 * written first are forgotten; past `maxSongs` distinct song ids everything is. Forgetting only
 * costs a dedupe read.
 */
export class WrittenListens {
  private readonly parts = new Map<string, Written>();
  private readonly songs = new Map<string, number>();
  private readonly sources = new Map<string, number>();
  private listens = 0;

  constructor(
    private readonly maxListens = 400_000,
    private readonly maxSongs = 100_000,
  ) {}

  /** Listens remembered. */
  get size(): number {
    return this.listens;
  }

  /** Whether a listen with this identity was written to the partition (and not forgotten since). */
  holds(partition: string, l: PartitionIdentity): boolean {
    const w = this.parts.get(partition);
    if (!w) return false;
    const song = this.songs.get(l.song_id);
    const source = this.sources.get(l.source);
    if (song === undefined || source === undefined) return false;
    return find(w, l.listened_at, code(song, source)) >= 0;
  }

  /** The listens were stored in the partition. */
  wrote(partition: string, listens: readonly PartitionIdentity[]): void {
    let w = this.parts.get(partition);
    for (const l of listens) {
      const c = this.codeOf(l);
      if (c === undefined) return;
      if (!w) this.parts.set(partition, (w = { pairs: new Float64Array(2 * Math.max(4, listens.length)), length: 0 }));
      if (insert(w, l.listened_at, c)) this.listens++;
    }
    if (this.listens > this.maxListens) this.evict();
  }

  /** Forget the partitions whose key `gone` accepts. */
  forget(gone: (partition: string) => boolean): void {
    for (const [k, w] of this.parts) {
      if (!gone(k)) continue;
      this.listens -= w.length;
      this.parts.delete(k);
    }
  }

  clear(): void {
    this.parts.clear();
    this.songs.clear();
    this.sources.clear();
    this.listens = 0;
  }

  /** The interned code of the listen's song and source; undefined after the interns were full and everything was forgotten. */
  private codeOf(l: PartitionIdentity): number | undefined {
    let song = this.songs.get(l.song_id);
    let source = this.sources.get(l.source);
    if (song === undefined) {
      if (this.songs.size >= this.maxSongs) return this.forgetAll();
      this.songs.set(l.song_id, (song = this.songs.size));
    }
    if (source === undefined) {
      if (this.sources.size >= SOURCES) return this.forgetAll();
      this.sources.set(l.source, (source = this.sources.size));
    }
    return code(song, source);
  }

  private forgetAll(): undefined {
    this.clear();
    return undefined;
  }

  /** The partitions written first go until a quarter of the bound is free. */
  private evict(): void {
    for (const [k, w] of this.parts) {
      if (this.listens <= this.maxListens * 0.75) return;
      this.listens -= w.length;
      this.parts.delete(k);
    }
  }
}

const SOURCES = 256;
const code = (song: number, source: number): number => song * SOURCES + source;

/** First index of the pair (at, c) or of where it would go: pairs before it are smaller. */
function lowerBound(w: Written, at: number, c: number): number {
  let lo = 0;
  let hi = w.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = w.pairs[2 * mid]!;
    if (t < at || (t === at && w.pairs[2 * mid + 1]! < c)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function find(w: Written, at: number, c: number): number {
  const i = lowerBound(w, at, c);
  return i < w.length && w.pairs[2 * i] === at && w.pairs[2 * i + 1] === c ? i : -1;
}

/** Adds the pair in order; false when it is there already. A crawl in time order appends. */
function insert(w: Written, at: number, c: number): boolean {
  const n = w.length;
  const last = n > 0 ? w.pairs[2 * n - 2]! : -Infinity;
  const i = at > last ? n : lowerBound(w, at, c);
  if (i < n && w.pairs[2 * i] === at && w.pairs[2 * i + 1] === c) return false;
  if (2 * (n + 1) > w.pairs.length) {
    const grown = new Float64Array(w.pairs.length * 2);
    grown.set(w.pairs.subarray(0, 2 * n));
    w.pairs = grown;
  }
  if (i < n) w.pairs.copyWithin(2 * i + 2, 2 * i, 2 * n);
  w.pairs[2 * i] = at;
  w.pairs[2 * i + 1] = c;
  w.length = n + 1;
  return true;
}
