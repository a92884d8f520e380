/**
 * Bench-only preload of `topk bench soak` (passed to the engine children as
 * NODE_OPTIONS=--import, never loaded by the product): the process logs its V8
 * heap as a JSON line after every major (mark-compact) GC and every 5 s, so the
 * soak can tell growth of the live heap from heap headroom kept in the RSS.
 */
import process from 'node:process';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { setInterval } from 'node:timers';

function log(event) {
  const h = getHeapStatistics();
  const m = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ msg: 'bench heap', event, heap_used: h.used_heap_size, heap_total: h.total_heap_size, external: m.external, array_buffers: m.arrayBuffers, rss: m.rss })}\n`,
  );
}

new PerformanceObserver((list) => {
  if (list.getEntries().some((e) => e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) log('major_gc');
}).observe({ entryTypes: ['gc'] });
setInterval(() => log('tick'), 5000).unref();
