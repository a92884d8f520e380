/**
 * V8 flags the engine processes start with (supervisor, Electron utility
 * processes and the benchmarks all use these).
 *
 * Measured with `topk bench ingest --listens 100000 --users 500 --days 7`
 * (BENCHMARKS.md): with V8's defaults the aggregator peaked at 230–255 MB
 * resident although its live heap after a full GC is ~30 MB — garbage of each
 * Kafka batch is promoted and the old generation grows until the next
 * mark-compact. A 4 MB young generation and, for the aggregator, a capped old
 * generation keep it lower. The aggregator's live data is bounded by design:
 * one Kafka fetch (≤ 6 partitions × TOPK_AGGREGATOR_FETCH_KB, 2 MB by default:
 * ~12 MB of buffers, their decoded messages and the chunks' statements, ~50 MB
 * at the peak of a chunk) plus the writer's remembered sets (StoredBounds, the
 * written index rows and tracks: ≤ ~25 MB at their bounds). With a 128 MB cap
 * the old space reached 72–89 MB in 100 000-listen runs, of which 30–40 MB
 * survives a full GC, and the 300 000-listen run of 46b6e56 peaked at 214.7 MB
 * resident (~60 MB of it outside the heap: code, libuv, malloc). 96 MB keeps
 * twice the live data; in one A/B pair it cost ~10 % of the aggregator's CPU
 * for ~14 MB less peak, and the quiet 300 000-listen run with it still peaked
 * at 204.9 MB (BENCHMARKS.md, issue 16): what held that peak was malloc
 * outside the heap, which engineEnv() below bounds. The API's live data grows with
 * concurrent misses, so it gets no old-generation cap.
 */
export function engineV8Flags(name: string): string[] {
  const flags = ['--max-semi-space-size=4'];
  if (name === 'aggregator') flags.push('--max-old-space-size=96');
  return flags;
}

/**
 * Environment every engine process starts with (supervisor, Electron utility
 * processes and the benchmarks), below the env the caller gives, so a deployment
 * can still override either. glibc's malloc reads these once, at exec:
 * - MALLOC_MMAP_THRESHOLD_=131072: allocations of 128 KiB and more (Kafka fetch
 *   responses of up to TOPK_AGGREGATOR_FETCH_KB a partition, the driver's
 *   frames) are mapped and unmapped, never kept in a malloc arena. glibc's
 *   default threshold is dynamic: after the first freed 2 MB fetch buffer it
 *   rises to 2 MB, later fetch buffers come from the arenas, and the arenas'
 *   free holes stay resident — in a 300 000-listen run the aggregator's
 *   anonymous memory outside the V8 heap and live buffers grew from ~14 to
 *   ~58 MB and the process peaked at 209 MB; with both settings it stayed
 *   under 19 MB and three runs peaked at 180, 176 and 176 MB, with no
 *   aggregator CPU cost that alternating 100 000-listen runs could show
 *   (BENCHMARKS.md, issue 16). Setting it also turns the dynamic threshold off.
 * - MALLOC_ARENA_MAX=2: at most two arenas instead of 8 per core, so the
 *   libuv pool and V8's helper threads do not each keep one with its own free
 *   memory.
 * Under Electron's utility processes the allocator may not be glibc's; there
 * they do nothing.
 */
export function engineEnv(): Record<string, string> {
  return { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
}
