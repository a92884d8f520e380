/** The arithmetic behind /v1 insights: heatmap buckets, rank movement, first plays. Pure, so specs check it exactly. */

/** Weekday 0 = Monday … 6 = Sunday, as ISO counts them. */
const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** True when `tz` is an IANA time zone this runtime knows (or UTC). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Plays per weekday (rows, Monday first) and hour of day (columns 0–23) in the time zone `tz`. */
export function heatmapCells(times: Iterable<number>, tz: string): number[][] {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
  const cells = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const t of times) {
    let wd = 0;
    let hour = 0;
    for (const p of fmt.formatToParts(t)) {
      if (p.type === 'weekday') wd = WEEKDAYS[p.value] ?? 0;
      else if (p.type === 'hour') hour = Number(p.value) % 24;
    }
    cells[wd]![hour]!++;
  }
  return cells;
}

export type Change = 'up' | 'down' | 'same' | 'new';

export interface Movement {
  previous_rank: number | null;
  change: Change;
  /** places gained (positive) or lost (negative); null for NEW and for rows below the previous ranking's depth */
  delta: number | null;
}

/**
 * A row's movement against the previous window's ranking. `previous` maps keys
 * to ranks of the previous window down to `depth` entries; `previousTotal` is
 * how many entries that window ranked. A key missing from `previous` was not
 * played in the previous window when the ranking was read to its end
 * (previousTotal ≤ depth): NEW. Otherwise it ranked below `depth`: up, by an
 * unknown number of places.
 */
export function movementOf(rank: number, key: string, previous: Map<string, number>, previousTotal: number, depth: number): Movement {
  const p = previous.get(key);
  if (p === undefined) return previousTotal <= depth ? { previous_rank: null, change: 'new', delta: null } : { previous_rank: null, change: 'up', delta: null };
  const delta = p - rank;
  return { previous_rank: p, change: delta > 0 ? 'up' : delta < 0 ? 'down' : 'same', delta };
}

export interface FirstPlay {
  key: string;
  /** first day with a play, among the days read */
  first_day: string;
  /** plays within the window */
  listen_count: number;
}

/**
 * Keys first played within [from, to]: `perDay` holds every day that can be
 * known (oldest kept day … to), day → key → plays. A key with any play before
 * `from` is not a discovery. Ordered by plays in the window, then first day, then key.
 */
export function firstPlays(perDay: Map<string, Map<string, number>>, from: string, to: string): FirstPlay[] {
  const first = new Map<string, string>();
  const inWindow = new Map<string, number>();
  for (const [day, counts] of perDay) {
    for (const [key, n] of counts) {
      if (n <= 0) continue;
      const f = first.get(key);
      if (f === undefined || day < f) first.set(key, day);
      if (day >= from && day <= to) inWindow.set(key, (inWindow.get(key) ?? 0) + n);
    }
  }
  const out: FirstPlay[] = [];
  for (const [key, listen_count] of inWindow) {
    const first_day = first.get(key)!;
    if (first_day >= from) out.push({ key, first_day, listen_count });
  }
  return out.sort((a, b) => b.listen_count - a.listen_count || (a.first_day < b.first_day ? -1 : a.first_day > b.first_day ? 1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
