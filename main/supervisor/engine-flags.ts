/**
 * V8 flags the engine processes start with (supervisor, Electron utility
 * processes and the benchmarks all use these).
 *
 * Measured with `topk bench ingest --listens 100000 --users 500 --days 7`
 * (BENCHMARKS.md): with V8's defaults the aggregator peaked at 230–255 MB
 * resident although its live heap after a full GC is ~30 MB — garbage of each
 * Kafka batch is promoted and the old generation grows until the next
 * mark-compact. A 4 MB young generation and, for the aggregator, a 128 MB old
 * generation keep it at 140–150 MB with the same throughput; the aggregator's
 * live data is bounded by design (at most 6 partitions × one Kafka fetch of
 * TOPK_AGGREGATOR_FETCH_KB, 2 MB by default, in flight). The API's live data grows with concurrent misses, so it gets no
 * old-generation cap.
 */
export function engineV8Flags(name: string): string[] {
  const flags = ['--max-semi-space-size=4'];
  if (name === 'aggregator') flags.push('--max-old-space-size=128');
  return flags;
}
