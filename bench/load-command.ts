/**
 * `topk bench load`: the API under C concurrent connections for S seconds with
 * the product's read traffic (bench/load-mix.ts). The data is made the way
 * the product makes it: U users' simulated listens published as the crawler
 * does and counted by the real aggregator (counts verified), then the real API
 * child serves the mix. Any error — a non-2xx answer, a timeout, a reset
 * connection — fails the run.
 */
import { err, out, round, runTag, startBench, table } from './bench-env';
import { engineArgs } from './child';
import { closeClients, openClients } from './ingest';
import type { LoadResult } from './load-worker';
import { ROUTE_DESCRIPTIONS, ROUTE_WEIGHTS, routeMix } from './load-mix';
import type { RouteKind } from './load-mix';
import { load, startServer } from './query';
import type { Server } from './query';
import { publishWorkload, startPipeline, waitDrained } from './soak-pipeline';
import type { Pipeline } from './soak-pipeline';
import { makeWorkload } from './workload';

export interface LoadArgs {
  seconds: number;
  connections: number;
  users: number;
  listens: number;
  /** autocannon's per-request timeout */
  timeoutSeconds: number;
  json: boolean;
  keyspace: string;
}

export async function benchLoad(a: LoadArgs): Promise<number> {
  const { say, config, env } = await startBench(a.keyspace);
  const tag = runTag();
  const days = Math.min(7, config.retentionDays);
  const w = makeWorkload({ n: a.listens, users: a.users, days, dupFraction: 0.05 });
  const clients = await openClients(config);
  let pipe: Pipeline | undefined;
  let api: Server | undefined;
  let result: LoadResult;
  let seeded: { seconds: number; exact: boolean; slices: number };
  let rssMb: number;
  try {
    pipe = await startPipeline(config, clients, tag, 'load', 6);
    const t0 = performance.now();
    say(`ingesting ${w.order.length} messages (${w.listens} listens of ${a.users} users over ${days} days) through the aggregator`);
    await publishWorkload(clients, pipe, w, { crawlId: `bench-${tag}` });
    if (!(await waitDrained(pipe, 600))) throw new Error('the aggregator did not drain the topic within 600 s');
    await pipe.stopAggregator();
    const v = await pipe.verify(w);
    seeded = { seconds: round((performance.now() - t0) / 1000, 1), exact: v.ok, slices: v.checked_slices };
    if (!v.ok) throw new Error(`the ingested counts are wrong (${v.mismatches} differences):\n  ${v.examples.join('\n  ')}`);
    say(`ingested and verified in ${seeded.seconds} s`);

    api = await startServer('ours', pipe.config, tag);
    const users = Array.from({ length: a.users }, (_, u) => `${pipe!.userPrefix}${u}`);
    say(`API pid ${api.child.pid}: ${a.connections} connections for ${a.seconds} s, mixed read routes`);
    result = await load({
      url: api.url,
      token: api.token,
      users,
      extraQuery: '',
      routes: routeMix(users, config.retentionDays),
      connections: a.connections,
      seconds: a.seconds,
      timeoutSeconds: a.timeoutSeconds,
    });
    rssMb = round(api.mem.peak() / 2 ** 20, 1);
  } finally {
    await api?.stop().catch(() => undefined);
    if (pipe) await pipe.remove(w).catch((e: unknown) => say(`cleanup failed: ${(e as Error).message}`));
    await closeClients(clients);
  }
  const errors = result.errors + result.non2xx;
  const ok = errors === 0 && result.requests > 0;
  const report = {
    benchmark: 'load',
    run: tag,
    params: { seconds: a.seconds, connections: a.connections, users: a.users, listens: a.listens, days, timeout_s: a.timeoutSeconds, keyspace: config.keyspace },
    environment: env,
    engines: { aggregator: engineArgs('aggregator'), api: engineArgs('api') },
    data: { messages: w.order.length, distinct_listens: w.listens, ingest_seconds: seeded.seconds, counts_exact: seeded.exact, checked_user_days: seeded.slices },
    mix: ROUTE_WEIGHTS,
    result,
    api_peak_rss_mb: rssMb,
    ok,
  };
  if (a.json) out(JSON.stringify(report, null, 2));
  else {
    out(`load benchmark: ${JSON.stringify(report.params)}  (load avg ${env.load_avg.join(' ')})`);
    out(
      table([
        ['route kind', 'share', 'requests', 'non-2xx', 'p50 ms', 'p99 ms', 'max ms', 'request'],
        ...Object.entries(result.by_kind).map(([k, r]) => [k, `${ROUTE_WEIGHTS[k as RouteKind]} %`, r.requests, r.non2xx, r.p50_ms, r.p99_ms, r.max_ms, ROUTE_DESCRIPTIONS[k as RouteKind] ?? '']),
        ['all', '100 %', result.requests, result.non2xx, result.p50_ms, result.p99_ms, result.max_ms, `${result.requests_per_second} req/s, p95 ${result.p95_ms} ms`],
      ]),
    );
    const kinds = Object.entries(result.error_kinds);
    out(`errors: ${result.errors}${kinds.length ? ` (${kinds.map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}; non-2xx: ${result.non2xx}; status codes: ${JSON.stringify(result.status_codes)}`);
    out(`API peak RSS ${rssMb} MB; data: ${w.listens} listens of ${a.users} users ingested through the aggregator, counts exact`);
  }
  if (!ok) {
    err(`topk bench load: FAILED — ${result.requests} requests, ${result.non2xx} non-2xx, ${result.errors} errors ${JSON.stringify(result.error_kinds)}`);
    return 1;
  }
  return 0;
}
