/**
 * The tests' own, independent expectation of the daily counters: listens
 * deduped by identity (user, source, listened_at, song_id) and grouped by UTC
 * day with Date#toISOString — not the product's helpers, so a bug there cannot
 * hide itself. Used by the pipeline tests and the fault suite.
 */

export interface Identity {
  user_id: string;
  source: string;
  listened_at: number;
  song_id: string;
}

/** user → day → song → plays. */
export type Counts = Map<string, Map<string, Map<string, number>>>;

/**
 * Adds the listens not in `seen` yet to `into` (both fresh by default, so one call
 * stands alone; the fault suite passes its own to accumulate across cases).
 */
export function expectedCounts(listens: Iterable<Identity>, into: Counts = new Map(), seen: Set<string> = new Set()): Counts {
  for (const l of listens) {
    const id = JSON.stringify([l.user_id, l.source, l.listened_at, l.song_id]);
    if (seen.has(id)) continue;
    seen.add(id);
    const day = new Date(l.listened_at).toISOString().slice(0, 10);
    let u = into.get(l.user_id);
    if (!u) into.set(l.user_id, (u = new Map()));
    let d = u.get(day);
    if (!d) u.set(day, (d = new Map()));
    d.set(l.song_id, (d.get(l.song_id) ?? 0) + 1);
  }
  return into;
}
