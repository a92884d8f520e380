/**
 * V8 flags every engine process (crawler, aggregator, API) starts with.
 *
 * A young generation of 4 MB semi-spaces instead of V8's default 16 MB keeps
 * the aggregator under its 200 MB resident target while it ingests
 * (`topk bench ingest`: 230–255 MB peak with the default, 146–190 MB with this;
 * BENCHMARKS.md): the engines allocate many short-lived objects per Kafka batch
 * or Cassandra page, and a smaller nursery is collected sooner instead of
 * growing the process.
 */
export const ENGINE_V8_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
