import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropKeyspace, keyspaceExists } from '../../bench/bench-env';
import { floorKeyspace } from '../../bench/ingest-command';
import { cqlId, TEST_KEYSPACE, testConfig } from '../helpers';

/**
 * Smoke runs of the benchmarks (issue 10): small N, a few seconds each, so the
 * commands cannot rot. They run literally `topk bench …` against the test stack
 * (in the migrated test keyspace) and check the documented JSON fields.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON reports, checked field by field
type Json = any;

const ROOT = join(import.meta.dirname, '..', '..');

function topk(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'topk.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TOPK_DATA_DIR: mkdtempSync(join(tmpdir(), 'topk-bench-test-')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `topk bench NAME … --keyspace <test keyspace> --json`: exits 0 and prints the JSON report of that benchmark. */
async function runBench(name: string, args: string[]): Promise<Record<string, Json>> {
  const r = await topk(['bench', name, ...args, '--keyspace', TEST_KEYSPACE, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const j = JSON.parse(r.stdout) as Record<string, Json>;
  expect(j.benchmark).toBe(name);
  return j;
}

const environmentFields = (env: Record<string, unknown>): void => {
  expect(env.cpus).toBeGreaterThan(0);
  expect(env.memory_mb).toBeGreaterThan(0);
  expect(String(env.cassandra)).toMatch(/^\d+\.\d+/);
  expect(String(env.redis)).toMatch(/^\d+\.\d+/);
  expect(String(env.kafka)).toMatch(/^\d+\.\d+/);
};

describe('topk bench (smoke)', () => {
  it('ingest: publishes, drains, verifies exact counts, and runs the seed design beside it', async () => {
    const j = await runBench('ingest', ['--listens', '400', '--users', '4', '--days', '2', '--baseline', '--baseline-seconds', '120']);
    environmentFields(j.environment);
    expect(j.counts_exact).toBe(true);
    for (const d of [j.ours, j.baseline]) {
      expect(d.published).toBe(420); // 400 listens + 5 % re-crawled copies
      expect(d.complete).toBe(true);
      expect(d.publish_per_second).toBeGreaterThan(0);
      expect(d.end_to_end_per_second).toBeGreaterThan(0);
      expect(d.peak_rss_mb).toBeGreaterThan(10);
      expect(d.verification.checked_users).toBe(4);
    }
    expect(j.ours.verification).toMatchObject({ ok: true, mismatches: 0 });
    // the seed design counts re-crawled copies twice
    expect(j.baseline.verification.ok).toBe(false);
    for (const k of ['validation_ms', 'dedupe_reads_ms', 'raw_writes_ms', 'count_updates_ms', 'commits_ms']) expect(j.ours.stages[k]).toBeGreaterThanOrEqual(0);
    expect(j.ours.stages.raw_writes_ms).toBeGreaterThan(0);
    expect(j.ratios.end_to_end).toBeGreaterThan(0);
    // the floor: the same 400 distinct listens and their counter updates, written raw in the same run
    expect(j.floor).toMatchObject({ listens: 400 });
    expect(j.floor.slices).toBeGreaterThan(0);
    expect(j.floor.counter_updates).toBeGreaterThan(400);
    expect(j.floor.listens_per_second).toBeGreaterThan(0);
    expect(j.ratios.to_floor).toBeCloseTo(j.ours.end_to_end_per_second / j.floor.listens_per_second, 2);
    expect(j.targets.floor_ratio).toBe(0.25);
    // the floor's scratch keyspace is gone; the keyspace the run was given, which it did not make, is kept
    expect(await keyspaceExists(testConfig({ TOPK_KEYSPACE: floorKeyspace(TEST_KEYSPACE) }))).toBe(false);
    expect(await keyspaceExists(testConfig())).toBe(true);
  }, 600_000);

  it('ingest into a keyspace it makes: dropped at the end, kept with --keep-data', async () => {
    const made = cqlId('topk_bench_made');
    const kept = cqlId('topk_bench_kept');
    const ingest = (keyspace: string, extra: string[] = []) => topk(['bench', 'ingest', '--listens', '200', '--users', '2', '--days', '1', '--keyspace', keyspace, '--json', ...extra]);
    const r = await ingest(made);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).counts_exact).toBe(true);
    expect(r.stderr).toContain(`keyspace ${made}: dropping it`);
    expect(await keyspaceExists(testConfig({ TOPK_KEYSPACE: made }))).toBe(false);
    const k = await ingest(kept, ['--keep-data']);
    expect(k.code, k.stderr).toBe(0);
    expect(await keyspaceExists(testConfig({ TOPK_KEYSPACE: kept }))).toBe(true);
    expect(await keyspaceExists(testConfig({ TOPK_KEYSPACE: floorKeyspace(kept) }))).toBe(true);
    for (const ks of [kept, floorKeyspace(kept)]) await dropKeyspace(testConfig({ TOPK_KEYSPACE: ks }));
  }, 600_000);

  it('query: cache hits, Redis-only hits and misses against the real API and the seed design', async () => {
    const j = await runBench('query', ['--seconds', '2', '--connections', '4', '--users', '5', '--tracks-per-day', '50', '--baseline']);
    environmentFields(j.environment);
    expect(j.ok).toBe(true);
    for (const side of [j.ours, j.baseline]) {
      for (const phase of ['hits', 'redis_hits', 'misses']) {
        const p = side[phase];
        expect(p.requests).toBeGreaterThan(0);
        expect(p.non2xx).toBe(0);
        expect(p.errors).toBe(0);
        expect(p.p50_ms).toBeGreaterThan(0);
        expect(p.p99_ms).toBeGreaterThanOrEqual(p.p95_ms);
        expect(p.p95_ms).toBeGreaterThanOrEqual(p.p50_ms);
      }
    }
    expect(j.ratios.misses.requests_per_second).toBeGreaterThan(0);
    // every answer was compared with a full ranking of the seeded counters
    for (const k of ['ours_cached', 'ours_bypass', 'seed_cached', 'seed_bypass']) expect(j.answers_checked[k]).toMatchObject({ checked: 5, exact: 5, differences: [] });
  }, 600_000);

  it('query --scope friends --rate --warmup: open loop over the followed users, answers exact, a timeline with the API loop beside it', async () => {
    const j = await runBench('query', ['--scope', 'friends', '--friends', '3', '--rate', '20', '--warmup', '1', '--seconds', '2', '--connections', '4', '--users', '5', '--tracks-per-day', '30']);
    expect(j.params).toMatchObject({ scope: 'friends', friends: 3, rate: 20, warmup_seconds: 1 });
    expect(j.answers_checked.ours_bypass).toMatchObject({ checked: 5, exact: 5 });
    for (const phase of ['hits', 'redis_hits', 'misses']) {
      const r = j.ours[phase];
      expect(r.offered_rate).toBe(20);
      expect(r.requests).toBe(40);
      expect(r.non2xx).toBe(0);
      // the warm-up's 20 requests are reported apart, and the measured ones start after it
      expect(r.warmup).toMatchObject({ seconds: 1, requests: 20, non2xx: 0, errors: 0 });
      expect(r.measured_from_ms).toBe(1000);
      // 3 s in 250 ms windows; every request sent and served in one; the API's probe lines landed in them
      const tl = r.timeline as Array<{ sent: number; served: number; api_cpu_ms?: number }>;
      expect(tl.length).toBeGreaterThanOrEqual(12);
      expect(tl.reduce((a, w) => a + w.sent, 0)).toBe(60);
      expect(tl.reduce((a, w) => a + w.served, 0)).toBe(60);
      expect(tl.filter((w) => w.api_cpu_ms !== undefined).length).toBeGreaterThanOrEqual(8);
      expect(r.api_loop.windows).toBeGreaterThanOrEqual(10);
      expect(r.api_loop.delay_max_ms).toBeGreaterThan(0);
      expect(r.generator_loop_delay.max_ms).toBeGreaterThanOrEqual(0);
    }
    expect(j.baseline).toBeNull();
  }, 600_000);

  it('freshness: probe listens followed on /v1/events until an answer counts them, under background ingest', async () => {
    const j = await runBench('freshness', ['--seconds', '3', '--warmup', '1', '--rate', '50', '--probes', '2', '--users', '5']);
    expect(j.params.warmup_seconds).toBe(1);
    // 2 probes/s: 6 measured after 2 in the warm-up, however long each publish took
    expect(j.probes).toBe(6);
    // the warm-up's probes are reported apart, and every probe has its place on the timeline
    expect(j.warmup.probes).toBe(2);
    expect(j.timeline).toHaveLength(j.probes + j.warmup.probes);
    expect(j.timeline[0].t_ms).toBeLessThan(j.timeline.at(-1).t_ms);
    expect(j.seen).toBeGreaterThan(0);
    expect(j.p99_ms).toBeGreaterThanOrEqual(j.p50_ms);
    expect(j.p50_ms).toBeGreaterThan(0);
    expect(j.background_published).toBeGreaterThan(0);
    // where a probe's time went: each seen probe's chunk was fetched and counted before an event named it
    expect(j.stages.in_kafka.p50_ms).toBeGreaterThanOrEqual(0);
    expect(j.stages.fetched_to_counted.p50_ms).toBeGreaterThanOrEqual(0);
    expect(j.stages.counted_to_event.p50_ms).toBeGreaterThanOrEqual(0);
    expect(j.stages.event_to_answer.p50_ms).toBeGreaterThanOrEqual(0);
    // the measured stretch (after the warm-up): its load, the CPU of the processes doing it and the aggregator's chunks
    expect(j.window.published).toBeGreaterThan(0);
    expect(j.window.published).toBeLessThanOrEqual(j.background_published);
    expect(Object.keys(j.window.cpu_seconds)).toEqual(expect.arrayContaining(['engine', 'publisher', 'cassandra', 'kafka', 'redis', 'api']));
    expect(j.window.cpu_us_per_listen).toBeGreaterThan(0);
    expect(j.window.machine_busy).toBeGreaterThan(0);
    expect(j.window.chunks).toBeGreaterThan(0);
    expect(j.window.listens_per_chunk).toBeGreaterThan(0);
    expect(Object.keys(j.window.chunk_stage_ms)).toEqual(['validate', 'dedupe', 'raw', 'counts', 'commit']);
  }, 600_000);

  it('freshness into a keyspace it makes: dropped at the end, kept with --keep-data', async () => {
    const made = cqlId('topk_fresh_made');
    const kept = cqlId('topk_fresh_kept');
    const fresh = (keyspace: string, extra: string[] = []) =>
      topk(['bench', 'freshness', '--seconds', '1', '--rate', '20', '--probes', '1', '--users', '2', '--keyspace', keyspace, '--json', ...extra]);
    const r = await fresh(made);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).seen).toBeGreaterThan(0);
    expect(r.stderr).toContain(`keyspace ${made}: dropping it`);
    expect(await keyspaceExists(testConfig({ TOPK_KEYSPACE: made }))).toBe(false);
    const k = await fresh(kept, ['--keep-data']);
    expect(k.code, k.stderr).toBe(0);
    expect(await keyspaceExists(testConfig({ TOPK_KEYSPACE: kept }))).toBe(true);
    await dropKeyspace(testConfig({ TOPK_KEYSPACE: kept }));
  }, 600_000);

  it('load: the mixed read routes under concurrent connections, per kind and with errors by kind', async () => {
    const j = await runBench('load', ['--seconds', '2', '--connections', '8', '--users', '4', '--listens', '300']);
    environmentFields(j.environment);
    expect(j.ok).toBe(true);
    // the data was made by the real aggregator and verified before the load
    expect(j.data).toMatchObject({ distinct_listens: 300, counts_exact: true });
    expect(j.result.requests).toBeGreaterThan(0);
    expect(j.result.non2xx).toBe(0);
    expect(j.result.errors).toBe(0);
    expect(j.result.error_kinds).toEqual({});
    expect(j.result.p99_ms).toBeGreaterThanOrEqual(j.result.p50_ms);
    // every kind that was requested was answered 2xx; in a 2-second smoke run on a busy machine a
    // kind with a 5 % share may not come up at all, so only a run long enough must have met them all
    for (const kind of Object.keys(j.mix)) {
      const k = j.result.by_kind[kind];
      if (j.result.requests >= 1000) expect(k?.requests, kind).toBeGreaterThan(0);
      if (!k) continue;
      expect(k.non2xx, kind).toBe(0);
    }
    expect(Object.keys(j.result.by_kind).length).toBeGreaterThan(0);
    expect(Object.keys(j.result.status_codes)).toEqual(['200']);
    expect(j.api_peak_rss_mb).toBeGreaterThan(10);
  }, 600_000);

  it('soak: steady ingest under queries, RSS per window, lag drained, counts exact', async () => {
    const r = await topk(['bench', 'soak', '--minutes', '0.2', '--rate', '100', '--users', '4', '--days', '2', '--query-rate', '5', '--keyspace', TEST_KEYSPACE, '--json']);
    const j = JSON.parse(r.stdout) as Record<string, Json>;
    // a 12-second run is mostly warm-up: its memory verdict may go either way, nothing else may fail
    expect(j.failures.filter((f: string) => !/RSS grew/.test(f)), r.stderr).toEqual([]);
    expect(r.code).toBe(j.ok ? 0 : 1);
    expect(j.benchmark).toBe('soak');
    environmentFields(j.environment);
    // 100/s × 12 s, made of listens plus 5 % re-crawled copies (rounded down)
    expect(j.messages).toBeGreaterThanOrEqual(1190);
    expect(j.messages).toBeLessThanOrEqual(1200);
    expect(j.drained).toBe(true);
    expect(j.counts_exact).toBe(true);
    expect(j.verification.checked_users).toBe(4);
    expect(j.windows).toHaveLength(5);
    expect(j.samples.length).toBeGreaterThanOrEqual(10);
    for (const proc of ['aggregator', 'api']) {
      expect(j.memory[proc].after_warmup_mb, proc).toBeGreaterThan(10);
      expect(j.memory[proc].last_window_mb, proc).toBeGreaterThan(10);
      expect(typeof j.memory[proc].growth_pct).toBe('number');
    }
    expect(j.queries.requests).toBeGreaterThan(0);
    expect(j.queries.non2xx + j.queries.errors).toBe(0);
    // the heap probe preloaded into both engine children reports (every 5 s and after major GCs)
    for (const proc of ['aggregator', 'api']) expect(j.heap[proc].length, proc).toBeGreaterThan(0);
    // progress lines on stderr while it runs
    expect(r.stderr).toMatch(/soak 0:\d\d\/0:12: published \d+\/\d+ .*lag \d+, RSS aggregator [\d.]+ MB, API [\d.]+ MB/);
  }, 600_000);

  it('load and soak: bad arguments exit 2 with a message', async () => {
    for (const args of [
      ['bench', 'soak', '--minutes', '0'],
      ['bench', 'soak', '--rate', 'fast'],
      ['bench', 'load', '--connections', '200'],
      ['bench', 'load', '--seconds', '60', '--connections', '0'],
    ]) {
      const r = await topk(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--(minutes|rate|seconds|connections) (must be|is required)/);
    }
  }, 120_000);
});
