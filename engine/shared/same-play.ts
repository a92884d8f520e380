/**
 * One play reported by two sources counts once (CONTRACT.md, "Identity of a listen").
 *
 * The rule: two listens are the same play when they belong to the same user, come from
 * DIFFERENT sources, name the same track — the same song_id (an mbid both carry) or the
 * same normalised artist and title — and started within SAME_PLAY_TOLERANCE_MS of each
 * other. Pairing is one to one: a stored play absorbs at most one listen of each other
 * source, the nearest in time, so a song played twice in a row (two plays in each source)
 * still counts twice. Listens of the same source are never merged by this rule; for them
 * the exact identity (user, source, listened_at, song_id) applies.
 */

/** Spotify's start (ts − ms_played; minute precision in account data) and a scrobbler's start differ by seconds to a minute. */
export const SAME_PLAY_TOLERANCE_MS = 120_000;

export interface PlayLike {
  source: string;
  listened_at: number;
  song_id: string;
  artist: string | null;
  title: string | null;
}

/**
 * Artist and title as one comparable key: Unicode-normalised, accents and case folded,
 * "&" read as "and", punctuation dropped, spaces collapsed. "Beyoncé – Halo" and
 * "BEYONCE - halo" give the same key.
 */
export function trackKey(artist: string | null, title: string | null): string {
  return `${norm(artist ?? '')}\u0000${norm(title ?? '')}`;
}

const keyCache = new Map<string, string>();

function norm(s: string): string {
  let k = keyCache.get(s);
  if (k === undefined) {
    k = s
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/&/g, ' and ')
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
    if (keyCache.size > 100_000) keyCache.clear();
    keyCache.set(s, k);
  }
  return k;
}

const identity = (l: PlayLike): string => `${l.listened_at}\u0001${l.source}\u0001${l.song_id}`;

interface Slot {
  at: number;
  source: string;
  /** sources whose listen this play already absorbed (made on the first: most plays absorb none) */
  absorbed?: Set<string>;
}

export interface NewPlays<T> {
  /** listens to store and count */
  fresh: T[];
  /** already stored under the same identity (replays, re-crawls, overlapping exports) */
  sameListen: number;
  /** the same play already stored (or earlier in this batch) from another source */
  sameCrossSource: number;
}

/**
 * Which `candidates` are new plays, given the `stored` listens around them (same user; stored
 * listens should cover the candidates' times ± the tolerance, neighbouring days included).
 * Candidates are taken oldest first; a fresh one joins the pool, so two sources' copies of a
 * play in one batch count once too.
 */
export function selectNewPlays<T extends PlayLike>(candidates: readonly T[], stored: readonly PlayLike[], toleranceMs = SAME_PLAY_TOLERANCE_MS): NewPlays<T> {
  const sorted = [...candidates].sort((a, b) => a.listened_at - b.listened_at);
  if (stored.length === 0 && distinctPlaysOfOneSource(sorted)) return { fresh: sorted, sameListen: 0, sameCrossSource: 0 };
  const ids = new Set<string>();
  // the slots of each song_id, and of each artist-and-title key (none for a listen without either)
  const byId = new Map<string, Slot[]>();
  const byKey = new Map<string, Slot[]>();
  const push = (m: Map<string, Slot[]>, k: string, slot: Slot): void => {
    const list = m.get(k);
    if (list) list.push(slot);
    else m.set(k, [slot]);
  };
  const add = (l: PlayLike, key: string): void => {
    ids.add(identity(l));
    const slot: Slot = { at: l.listened_at, source: l.source };
    push(byId, l.song_id, slot);
    if (key !== NO_KEY) push(byKey, key, slot);
  };
  for (const s of stored) add(s, trackKey(s.artist, s.title));
  const out: NewPlays<T> = { fresh: [], sameListen: 0, sameCrossSource: 0 };
  for (const c of sorted) {
    if (ids.has(identity(c))) {
      out.sameListen++;
      continue;
    }
    const key = trackKey(c.artist, c.title);
    let best: Slot | undefined;
    for (const list of [byId.get(c.song_id), key === NO_KEY ? undefined : byKey.get(key)]) {
      for (const s of list ?? NO_SLOTS) {
        if (s.source === c.source || s.absorbed?.has(c.source)) continue;
        const d = Math.abs(s.at - c.listened_at);
        if (d <= toleranceMs && (!best || d < Math.abs(best.at - c.listened_at))) best = s;
      }
    }
    if (best) {
      (best.absorbed ??= new Set()).add(c.source);
      out.sameCrossSource++;
      continue;
    }
    add(c, key);
    out.fresh.push(c);
  }
  return out;
}

/**
 * Listens sorted by time, of one source, each at a time of its own: with nothing stored around them
 * no rule above merges any two (identities differ in time, and the same-play rule needs two sources),
 * so all are new. The common case — a slice of one crawl with nothing stored yet — then costs no
 * identity strings, track keys or slots (the aggregator asks this for every slice of every chunk).
 */
function distinctPlaysOfOneSource(sorted: readonly PlayLike[]): boolean {
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.source !== sorted[0]!.source || sorted[i]!.listened_at === sorted[i - 1]!.listened_at) return false;
  }
  return true;
}

/** trackKey of a listen with neither artist nor title: matches by song_id only */
const NO_KEY = '\u0000';
const NO_SLOTS: readonly Slot[] = [];
