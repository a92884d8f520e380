/**
 * What the API's event loop did during a load phase: the lines bench/loop-probe.mjs logs every
 * 250 ms (event-loop delay, GC pauses, CPU), summed over the phase and laid beside the open
 * loop's latency timeline, so a tail can be told apart: the API busy (CPU), paused (GC), or late
 * to run its loop (delay) — or the generator late (its own loop delay in the timeline).
 */
import type { ChildHandle } from './child';
import { ms } from './load-common';
import { TIMELINE_WINDOW_MS } from './open-loop';
import type { TimelineWindow } from './open-loop';

/** One probe line: the window that ended at `t` (ms since the epoch). */
export interface ApiLoopLine {
  t: number;
  delay_p50_ms: number;
  delay_p99_ms: number;
  delay_max_ms: number;
  gc_count: number;
  gc_ms: number;
  gc_max_ms: number;
  gc_major: number;
  cpu_ms: number;
}

/** The API's loop over a phase. */
export interface ApiLoopSummary {
  windows: number;
  /** the worst window's p99 and the longest delay seen */
  delay_p99_worst_ms: number;
  delay_max_ms: number;
  gc_count: number;
  gc_major: number;
  gc_ms: number;
  gc_max_ms: number;
  cpu_ms: number;
}

export type TimelineWithApi = TimelineWindow & { api_cpu_ms?: number; api_loop_delay_max_ms?: number; api_gc_ms?: number; api_gc_max_ms?: number };

/** Keeps the child's probe lines; `between(a, b)` gives those of windows ending in [a, b]. */
export function collectApiLoop(child: ChildHandle): { between(from: number, to: number): ApiLoopLine[] } {
  const lines: ApiLoopLine[] = [];
  child.onLine((o) => {
    if (o.msg === 'bench loop' && typeof o.t === 'number') lines.push(o as unknown as ApiLoopLine);
  });
  return { between: (from, to) => lines.filter((l) => l.t >= from && l.t <= to) };
}

export function summariseApiLoop(lines: readonly ApiLoopLine[]): ApiLoopSummary {
  let s: ApiLoopSummary = { windows: lines.length, delay_p99_worst_ms: 0, delay_max_ms: 0, gc_count: 0, gc_major: 0, gc_ms: 0, gc_max_ms: 0, cpu_ms: 0 };
  for (const l of lines) {
    s = {
      ...s,
      delay_p99_worst_ms: Math.max(s.delay_p99_worst_ms, l.delay_p99_ms),
      delay_max_ms: Math.max(s.delay_max_ms, l.delay_max_ms),
      gc_count: s.gc_count + l.gc_count,
      gc_major: s.gc_major + l.gc_major,
      gc_ms: s.gc_ms + l.gc_ms,
      gc_max_ms: Math.max(s.gc_max_ms, l.gc_max_ms),
      cpu_ms: s.cpu_ms + l.cpu_ms,
    };
  }
  return { ...s, gc_ms: ms(s.gc_ms), cpu_ms: ms(s.cpu_ms) };
}

/**
 * The timeline with the API's figures of each window: a probe line covers the 250 ms before its
 * `t`, and is put in the timeline window holding its middle (the two clocks are not aligned, so
 * a window may get none or two lines: two are summed, their maxima taken).
 */
export function withApiLoop(timeline: readonly TimelineWindow[], t0EpochMs: number, lines: readonly ApiLoopLine[]): TimelineWithApi[] {
  const out: TimelineWithApi[] = timeline.map((w) => ({ ...w }));
  for (const l of lines) {
    const w = Math.floor((l.t - TIMELINE_WINDOW_MS / 2 - t0EpochMs) / TIMELINE_WINDOW_MS);
    const row = out[w];
    if (w < 0 || !row) continue;
    row.api_cpu_ms = ms((row.api_cpu_ms ?? 0) + l.cpu_ms);
    row.api_loop_delay_max_ms = Math.max(row.api_loop_delay_max_ms ?? 0, l.delay_max_ms);
    row.api_gc_ms = ms((row.api_gc_ms ?? 0) + l.gc_ms);
    row.api_gc_max_ms = Math.max(row.api_gc_max_ms ?? 0, l.gc_max_ms);
  }
  return out;
}
