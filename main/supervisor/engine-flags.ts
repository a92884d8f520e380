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
 * at 204.9 MB (BENCHMARKS.md, issue 16). The API's live data grows with
 * concurrent misses, so it gets no old-generation cap.
 */
export function engineV8Flags(name: string): string[] {
  const flags = ['--max-semi-space-size=4'];
  if (name === 'aggregator') flags.push('--max-old-space-size=96');
  return flags;
}
