/** UTC day arithmetic for day partitions (`YYYY-MM-DD`). */

const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ms since epoch of 00:00 UTC of `day`, or NaN when `day` is not a real date. */
export function dayStart(day: string): number {
  if (!DATE_RE.test(day)) return Number.NaN;
  const ms = Date.parse(`${day}T00:00:00.000Z`);
  return Number.isNaN(ms) || dayOf(ms) !== day ? Number.NaN : ms;
}

export function addDays(day: string, n: number): string {
  return dayOf(dayStart(day) + n * DAY_MS);
}

/** Days from `from` to `to` inclusive, newest first. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = to; d >= from; d = addDays(d, -1)) out.push(d);
  return out;
}

export interface DayWindow {
  from: string;
  to: string;
  /** newest first */
  days: string[];
  /** ms since epoch, start of `from` (inclusive) */
  fromTs: number;
  /** ms since epoch, end of `to` (exclusive: 00:00 UTC of the day after) */
  toTs: number;
}

/** The last `days` UTC days ending today. */
export function lastDays(days: number, now: number): DayWindow {
  const to = dayOf(now);
  return window(addDays(to, -(days - 1)), to);
}

export function window(from: string, to: string): DayWindow {
  return { from, to, days: daysBetween(from, to), fromTs: dayStart(from), toTs: dayStart(to) + DAY_MS };
}
