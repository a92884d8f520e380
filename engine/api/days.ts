/** UTC day arithmetic for day partitions (`YYYY-MM-DD`). */
import { DAY_MS, utcDay } from '../shared/listen-identity';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day of a time (memoised per day: every Top-K request computes its window). */
export const dayOf = utcDay;

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

/** Windows asked for recently: the same few (today and the last N days) come with nearly every request. */
const windows = new Map<string, Readonly<DayWindow>>();

/** The window from `from` to `to`; the result is shared between callers and must not be changed. */
export function window(from: string, to: string): DayWindow {
  const key = `${from}|${to}`;
  let w = windows.get(key);
  if (!w) {
    w = Object.freeze({ from, to, days: Object.freeze(daysBetween(from, to)) as string[], fromTs: dayStart(from), toTs: dayStart(to) + DAY_MS });
    if (windows.size > 1000) windows.clear();
    windows.set(key, w);
  }
  return w;
}
