/** `topk bench ingest`: options, the two designs in one run, table or JSON output. */
import { benchConfig, describeEnvironment, err, out, prepareKeyspace, ratio, round, runTag, table, DEFAULT_BENCH_KEYSPACE } from './bench-env';
import { closeClients, openClients, runIngest } from './ingest';
import type { IngestResult } from './ingest';
import { makeWorkload } from './workload';
import type { CpuRole } from './cpu';

export interface IngestArgs {
  listens: number;
  users: number;
  days: number;
  partitions: number;
  duplicates: number;
  baseline: boolean;
  json: boolean;
  keyspace: string;
  baselineSeconds: number;
  keepData: boolean;
}

export const INGEST_TARGET_PER_SECOND = 12_150;
export const RSS_TARGET_MB = 200;

export async function benchIngest(a: IngestArgs): Promise<number> {
  const progress = (line: string): void => {
    if (!a.json) process.stderr.write(`${line}\n`);
  };
  const config = benchConfig(a.keyspace ?? DEFAULT_BENCH_KEYSPACE);
  if (a.days > config.retentionDays) throw new Error(`--days ${a.days} is more than the retention (${config.retentionDays} days)`);
  progress(`keyspace ${config.keyspace}: migrating`);
  await prepareKeyspace(config);
  const env = await describeEnvironment(config);
  const tag = runTag();
  const t0 = performance.now();
  const w = makeWorkload({ n: a.listens, users: a.users, days: a.days, dupFraction: a.duplicates });
  progress(`generated ${w.listens} listens for ${a.users} users over ${a.days} days (+${w.order.length - w.listens} re-crawled copies) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const clients = await openClients(config);
  const results: IngestResult[] = [];
  try {
    results.push(await runIngest('ours', w, config, clients, tag, { partitions: a.partitions, progress, drainTimeoutSeconds: 600, keepData: a.keepData }));
    if (a.baseline) {
      results.push(await runIngest('seed', w, config, clients, tag, { partitions: a.partitions, progress, drainTimeoutSeconds: a.baselineSeconds, keepData: a.keepData }));
    }
  } finally {
    await closeClients(clients);
  }
  const ours = results[0]!;
  const seed = results[1];
  const ok = ours.complete && ours.verification?.ok === true;
  const report = {
    benchmark: 'ingest',
    run: tag,
    params: { listens: a.listens, users: a.users, days: a.days, partitions: a.partitions, duplicates: a.duplicates, keyspace: config.keyspace },
    environment: env,
    ours,
    baseline: seed ?? null,
    ratios: seed
      ? { end_to_end: round(ours.end_to_end_per_second / Math.max(1, seed.end_to_end_per_second), 1), peak_rss: round(ours.peak_rss_mb / Math.max(1, seed.peak_rss_mb), 2) }
      : null,
    targets: {
      end_to_end_per_second: INGEST_TARGET_PER_SECOND,
      met_throughput: ours.end_to_end_per_second >= INGEST_TARGET_PER_SECOND,
      peak_rss_mb: RSS_TARGET_MB,
      met_memory: ours.peak_rss_mb < RSS_TARGET_MB,
    },
    counts_exact: ok,
  };
  if (a.json) out(JSON.stringify(report, null, 2));
  else printIngest(report.params, ours, seed, env.load_avg);
  if (!ok) {
    const v = ours.verification;
    err(
      !ours.complete
        ? `topk bench ingest: FAILED — the aggregator did not drain the topic (lag ${ours.published - ours.consumed})`
        : `topk bench ingest: FAILED — ${v?.mismatches} daily count(s) in Cassandra differ from the generated listens:\n  ${v?.examples.join('\n  ')}`,
    );
    return 1;
  }
  return 0;
}

function printIngest(p: Record<string, unknown>, ours: IngestResult, seed: IngestResult | undefined, load: number[]): void {
  const rows: Array<Array<string | number>> = [['', 'ours', ...(seed ? ['seed design', 'ours/seed'] : [])]];
  const add = (name: string, a: number | string, b?: number | string, r?: string): void => {
    rows.push([name, a, ...(seed ? [b ?? '', r ?? ''] : [])]);
  };
  add('messages published', ours.published, seed?.published);
  add('publish rate (msg/s)', ours.publish_per_second, seed?.publish_per_second, seed && ratio(ours.publish_per_second, seed.publish_per_second, true));
  add(
    'end to end (listens/s)',
    ours.end_to_end_per_second,
    seed ? `${seed.end_to_end_per_second}${seed.complete ? '' : ` (partial: ${seed.consumed}/${seed.published})`}` : undefined,
    seed && ratio(ours.end_to_end_per_second, seed.end_to_end_per_second, true),
  );
  add('end to end (s)', ours.end_to_end_seconds, seed?.end_to_end_seconds);
  add('aggregator peak RSS (MB)', ours.peak_rss_mb, seed?.peak_rss_mb);
  // CPU per listen of each process: on one small machine the busiest one is the limit
  const perListen = (r: IngestResult | undefined, role: CpuRole): string | undefined => {
    const s = r?.cpu_seconds[role];
    return s === undefined || !r ? undefined : `${Math.round((s * 1e6) / Math.max(1, r.consumed))}`;
  };
  for (const [role, label] of [['engine', 'aggregator'], ['cassandra', 'Cassandra'], ['kafka', 'Kafka'], ['redis', 'Redis']] as Array<[CpuRole, string]>) {
    if (ours.cpu_seconds[role] !== undefined) add(`${label} CPU (µs/listen)`, perListen(ours, role) ?? '', perListen(seed, role));
  }
  const v = (r: IngestResult | undefined): string =>
    !r ? '' : r.verification ? (r.verification.ok ? `exact (${r.verification.checked_slices} slices)` : `${r.verification.mismatches} WRONG`) : 'not checked (partial)';
  add('daily counts', v(ours), v(seed));
  out(`ingest benchmark: ${JSON.stringify(p)}  (load avg ${load.join(' ')})`);
  out(table(rows));
  if (ours.stages) {
    const s = ours.stages;
    const total = s.validation_ms + s.dedupe_reads_ms + s.raw_writes_ms + s.count_updates_ms + s.commits_ms;
    const pct = (x: number): string => `${round((100 * x) / Math.max(1, total), 0)}%`;
    out('\naggregator stage times (wall time summed over chunks; up to 6 partitions run at once):');
    out(
      table([
        ['stage', 'ms', 'share', 'µs/listen'],
        ...(
          [
            ['validation', s.validation_ms],
            ['dedupe reads', s.dedupe_reads_ms],
            ['raw writes', s.raw_writes_ms],
            ['count updates', s.count_updates_ms],
            ['commits', s.commits_ms],
          ] as Array<[string, number]>
        ).map(([n, ms]) => [n, ms, pct(ms), round((ms * 1000) / Math.max(1, ours.published), 1)]),
      ]),
    );
  }
}
