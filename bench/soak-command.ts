/** `topk bench soak`: options, table or JSON output, exit 1 when a target is missed. */
import { err, out, refuseDaysBeyondRetention, runTag, startBench, table } from './bench-env';
import { engineArgs } from './child';
import { closeClients, openClients } from './ingest';
import { runSoak, SOAK_GROWTH_TARGET_PCT } from './soak';
import type { Growth, SoakOptions, SoakResult } from './soak';

/** The soak's options as given on the command line, plus the output format and keyspace. */
export type SoakArgs = Omit<SoakOptions, 'drainTimeoutSeconds' | 'progress'> & { json: boolean; keyspace: string };

export async function benchSoak(a: SoakArgs): Promise<number> {
  refuseDaysBeyondRetention(a.keyspace, a.days);
  const { say: progress, config, env } = await startBench(a.keyspace);
  const tag = runTag();
  const clients = await openClients(config);
  let r: SoakResult;
  try {
    const { json: _json, keyspace: _keyspace, ...options } = a;
    r = await runSoak(config, clients, tag, { ...options, drainTimeoutSeconds: 600, progress });
  } finally {
    await closeClients(clients);
  }
  const loadAfter = (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100);
  const failures: string[] = [];
  if (!r.drained) failures.push(`the aggregator did not drain the topic (lag ${r.lag_at_end} when publishing ended)`);
  if (r.verification && !r.verification.ok) failures.push(`${r.verification.mismatches} daily count(s) differ from the generated listens:\n  ${r.verification.examples.join('\n  ')}`);
  if (!r.queries) failures.push('the query load did not complete');
  else if (r.queries.non2xx || r.queries.errors || r.queries.requests === 0)
    failures.push(`queries: ${r.queries.requests} requests, ${r.queries.non2xx} non-2xx, ${r.queries.errors} errors ${JSON.stringify(r.queries.error_kinds)}`);
  for (const [name, g] of [['aggregator', r.memory.aggregator], ['API', r.memory.api]] as Array<[string, Growth]>) {
    if (!g.ok) failures.push(`${name} RSS grew ${g.growth_pct} % after warm-up (${g.after_warmup_mb} → ${g.last_window_mb} MB; target ≤ ${SOAK_GROWTH_TARGET_PCT} %)`);
  }
  const report = {
    benchmark: 'soak',
    run: tag,
    params: { minutes: a.minutes, rate: a.rate, users: a.users, days: a.days, partitions: a.partitions, duplicates: a.duplicates, query_rate: a.queryRate, keyspace: config.keyspace },
    environment: env,
    load_avg_after: loadAfter,
    engines: { aggregator: engineArgs('aggregator'), api: engineArgs('api') },
    ...r,
    counts_exact: r.verification?.ok === true,
    ok: failures.length === 0,
    failures,
  };
  if (a.json) out(JSON.stringify(report, null, 2));
  else print(report.params, r, env.load_avg, loadAfter);
  if (failures.length) {
    err(`topk bench soak: FAILED — ${failures.join('; ')}`);
    return 1;
  }
  return 0;
}

function print(params: Record<string, unknown>, r: SoakResult, loadBefore: number[], loadAfter: number[]): void {
  out(`soak benchmark: ${JSON.stringify(params)}  (load avg before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')})`);
  const dash = (x: number | null): string | number => x ?? '–';
  out(
    table([
      ['window', 'from s', 'to s', 'published', 'msg/s', 'lag at end', 'lag max', 'aggr. RSS MB', 'aggr. heap MB', 'API RSS MB', 'API heap MB'],
      ...r.windows.map((w) => [
        w.index === 2 ? `${w.index} (warm)` : w.index === r.windows.length ? `${w.index} (last)` : w.index,
        w.from_s,
        w.to_s,
        w.published,
        w.publish_per_second,
        dash(w.lag_at_end),
        dash(w.lag_max),
        dash(w.aggregator_rss_max_mb),
        `${dash(w.aggregator_heap_after_gc_mb)} / ${dash(w.aggregator_heap_total_mb)}`,
        dash(w.api_rss_max_mb),
        `${dash(w.api_heap_after_gc_mb)} / ${dash(w.api_heap_total_mb)}`,
      ]),
    ]),
  );
  out('');
  const g = (x: Growth): Array<string | number> => [x.after_warmup_mb, x.last_window_mb, `${x.growth_pct} %`, x.ok ? 'pass' : 'FAIL'];
  out(
    table([
      ['RSS (max over a window)', 'after warm-up MB', 'last window MB', 'growth', `≤ ${SOAK_GROWTH_TARGET_PCT} %`],
      ['aggregator', ...g(r.memory.aggregator)],
      ['API', ...g(r.memory.api)],
    ]),
  );
  const h = r.memory.heap_after_gc;
  const hg = (x: typeof h.aggregator): string => `${dash(x.after_warmup_mb)} → ${dash(x.last_window_mb)} MB (${x.growth_pct === null ? '–' : `${x.growth_pct} %`}, ${x.major_gcs} major GCs)`;
  out(`V8 heap in use after major GCs (same windows): aggregator ${hg(h.aggregator)}, API ${hg(h.api)}`);
  out('RSS: max VmRSS per window; heap columns: max heap in use after a major GC / max heap reserved');
  out('');
  const q = r.queries;
  out(`messages published: ${r.messages} (${r.distinct_listens} listens + re-crawled copies) in ${r.duration_s} s, ${r.publish_per_second}/s`);
  out(`lag when publishing ended: ${r.lag_at_end}; ${r.drained ? `0 after ${r.drain_seconds} s more` : 'NOT drained'}`);
  out(`daily counts: ${r.verification ? (r.verification.ok ? `exact (${r.verification.checked_slices} user-days)` : `${r.verification.mismatches} WRONG`) : 'not checked'}`);
  out(`queries: ${q ? `${q.requests} (${q.requests_per_second}/s), p50 ${q.p50_ms} ms, p99 ${q.p99_ms} ms, ${q.non2xx} non-2xx, ${q.errors} errors` : 'failed'}`);
}
