/**
 * Bench-only preload of `topk bench query` (passed to the API child as
 * NODE_OPTIONS=--import, never loaded by the product): every 250 ms the
 * process logs one JSON line with its event-loop delay over the window
 * (perf_hooks.monitorEventLoopDelay, reset per window), the GC pauses that
 * ended in it (PerformanceObserver 'gc': count, total and longest, and how
 * many were mark-compacts) and the CPU it used, so a load phase's latency
 * timeline can be set beside what the API's own loop was doing.
 */
import process from 'node:process';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import { setInterval } from 'node:timers';

const WINDOW_MS = 250;
const delay = monitorEventLoopDelay({ resolution: 2 });
delay.enable();
let gc = { count: 0, ms: 0, max_ms: 0, major: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.ms += e.duration;
    gc.max_ms = Math.max(gc.max_ms, e.duration);
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
  }
}).observe({ entryTypes: ['gc'] });
let cpu = process.cpuUsage();
const r = (x) => Math.round(x * 100) / 100;
setInterval(() => {
  const c = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({
      msg: 'bench loop',
      t: Date.now(),
      delay_p50_ms: r(delay.percentile(50) / 1e6),
      delay_p99_ms: r(delay.percentile(99) / 1e6),
      delay_max_ms: r(delay.max / 1e6),
      gc_count: gc.count,
      gc_ms: r(gc.ms),
      gc_max_ms: r(gc.max_ms),
      gc_major: gc.major,
      cpu_ms: r((c.user - cpu.user + c.system - cpu.system) / 1000),
    })}\n`,
  );
  cpu = c;
  gc = { count: 0, ms: 0, max_ms: 0, major: 0 };
  delay.reset();
}, WINDOW_MS).unref();
