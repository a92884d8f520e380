/**
 * One chart row per track, whichever source named it (README "One play, two sources").
 *
 * A listen keeps its own song_id (its identity, CONTRACT.md); its plays are counted under a
 * chart row chosen from the ids that named the same track — the same normalised artist and
 * title as the same-play rule (`trackKey`) — ordered by when the app first counted each:
 * the listen joins the earliest id of its name when ANOTHER source named it; ids a source
 * gives itself stay as that source defines them (two ListenBrainz recordings of one name stay
 * two rows), so a single-source history is charted exactly by its own song ids.
 * The simulator's made-up tracks are never the same track as a real one: always their own row.
 */

export interface NamedListen {
  source: string;
  song_id: string;
  artist: string | null;
  title: string | null;
}

/** An id under a track's name, and the source that first named the track with it. */
export interface Naming {
  song_id: string;
  source: string;
}

/** Listens of this source are never merged with another id. */
export const SIMULATOR_SOURCE = 'simulator';

/** Whether a listen takes part in naming: a real source and a name to go by. */
export const takesPart = (l: NamedListen): boolean => l.source !== SIMULATOR_SOURCE && !!(l.artist?.trim() || l.title?.trim());

/** The chart row of a listen, given the namings of its track, earliest first. */
export function chartRow(l: Pick<NamedListen, 'source' | 'song_id'>, named: readonly Naming[]): string {
  const first = named[0];
  if (first === undefined || first.song_id === l.song_id || first.source === l.source) return l.song_id;
  return first.song_id;
}

/** Plays per chart row of some listens (the writer's new plays of a slice, recovery's raw listens of one). */
export function playsPerRow<L>(listens: Iterable<L>, rowOf: (l: L) => string): Map<string, number> {
  const plays = new Map<string, number>();
  for (const l of listens) {
    const row = rowOf(l);
    plays.set(row, (plays.get(row) ?? 0) + 1);
  }
  return plays;
}
