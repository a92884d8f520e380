import type { LogLevel, LogLine } from './api/wire';

export const LEVEL_ORDER: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export interface LogFilter {
  services: Set<string>;
  minLevel: LogLevel;
  text: string;
}

/** Text of a line as searched and shown: message plus key=value fields. */
export function lineText(l: LogLine): string {
  let s = l.msg;
  if (l.fields) {
    for (const [k, v] of Object.entries(l.fields)) s += ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
  }
  return s;
}

export function matches(l: LogLine, f: LogFilter): boolean {
  if (f.services.size && !f.services.has(l.service)) return false;
  if ((LEVEL_ORDER[l.level] ?? 30) < LEVEL_ORDER[f.minLevel]) return false;
  if (f.text) {
    const t = f.text.toLowerCase();
    if (!lineText(l).toLowerCase().includes(t) && !l.service.toLowerCase().includes(t)) return false;
  }
  return true;
}

/**
 * A bounded buffer of log lines (oldest dropped first) with a filtered view
 * that is extended incrementally as lines arrive and rebuilt only when the
 * filter changes.
 */
export class LogBuffer {
  lines: LogLine[] = [];
  view: LogLine[] = [];
  private seen = new Set<number>();
  constructor(
    readonly capacity = 100_000,
    private filter: LogFilter = { services: new Set(), minLevel: 'trace', text: '' },
  ) {}

  /** Adds lines (duplicates by seq ignored); returns how many entered the filtered view. */
  push(batch: LogLine[]): number {
    let added = 0;
    for (const l of batch) {
      if (this.seen.has(l.seq)) continue;
      this.seen.add(l.seq);
      this.lines.push(l);
      if (matches(l, this.filter)) {
        this.view.push(l);
        added++;
      }
    }
    if (this.lines.length > this.capacity) {
      const drop = this.lines.length - this.capacity;
      const dropped = this.lines.splice(0, drop);
      for (const d of dropped) this.seen.delete(d.seq);
      const firstSeq = this.lines[0]?.seq ?? 0;
      let i = 0;
      while (i < this.view.length && (this.view[i]?.seq ?? 0) < firstSeq) i++;
      if (i) this.view.splice(0, i);
    }
    return added;
  }

  setFilter(f: LogFilter): void {
    this.filter = f;
    this.view = this.lines.filter((l) => matches(l, f));
  }

  clear(): void {
    this.lines = [];
    this.view = [];
    this.seen.clear();
  }
}

/** Splits text into parts, marking case-insensitive matches of `q` for highlighting. */
export function highlight(text: string, q: string): { t: string; hit: boolean }[] {
  if (!q) return [{ t: text, hit: false }];
  const out: { t: string; hit: boolean }[] = [];
  const lower = text.toLowerCase();
  const ql = q.toLowerCase();
  let i = 0;
  for (;;) {
    const j = lower.indexOf(ql, i);
    if (j < 0) break;
    if (j > i) out.push({ t: text.slice(i, j), hit: false });
    out.push({ t: text.slice(j, j + q.length), hit: true });
    i = j + q.length;
  }
  if (i < text.length) out.push({ t: text.slice(i), hit: false });
  return out;
}
