import { lastDays } from '../shared/listen-identity';
import { mapLimit } from '../shared/concurrency';
import type { Store } from '../shared/store/store';
import { recomputeDayTotals, recomputeGlobalDay, recomputeUserDay } from './recompute';
import type { CountFix, GlobalFix } from './recompute';
import { GLOBAL_SCOPE, rankedScopes } from '../shared/ranked-sets';
import type { RankedSets } from '../shared/ranked-sets';

export interface RebuildOptions {
  /** one user; all users with data when absent */
  user?: string;
  /** the last N UTC days (today included) */
  days: number;
  dryRun?: boolean;
  now?: number;
  /** the ranked sets reads are served from: the ones over fixed counters are dropped (rebuilt on the next read) */
  ranked?: RankedSets;
}

export interface RebuildReport {
  users: number;
  days: string[];
  slices: number;
  fixes: CountFix[];
  globalFixes: GlobalFix[];
  /** play totals (user_day_totals, day_shard_totals) that differed from the raw listens */
  totalFixes: number;
}

/**
 * Recompute daily counts from raw listens (the seed's invariant: aggregates
 * are reproducible from raw listens). With a user: that user's counts, with
 * the same deltas applied to global counts. Without: every user's counts, then
 * global counts re-derived from the users' counts.
 */
export async function rebuildCounts(store: Pick<Store, 'counts' | 'listens' | 'trackNames' | 'playTotals'>, o: RebuildOptions): Promise<RebuildReport> {
  const days = lastDays(o.days, o.now);
  const users = o.user !== undefined ? [o.user] : await store.counts.usersWithData();
  const slices = users.flatMap((u) => days.map((d) => [u, d] as const));
  const perSlice = await mapLimit(slices, 8, ([u, d]) => recomputeUserDay(store, u, d, { global: o.user !== undefined, dryRun: o.dryRun }));
  // with a user, the deltas go to the day total of the shard the user's counts are in (recomputeUserDay above indexed it); without, each shard is re-derived below
  const totals = await mapLimit(slices, 8, async ([u, d]) =>
    store.playTotals.recomputeUserDay(u, d, { shard: o.user !== undefined ? ((await store.counts.shardsOf(u, d))[0] ?? 0) : undefined, dryRun: o.dryRun }),
  );
  const report: RebuildReport = {
    users: users.length,
    days,
    slices: slices.length,
    fixes: perSlice.flatMap((r) => r.fixes),
    globalFixes: [],
    totalFixes: totals.filter((n) => n !== 0).length,
  };
  if (o.user === undefined) {
    for (const d of days) report.globalFixes.push(...(await recomputeGlobalDay(store, d, { dryRun: o.dryRun })));
    for (const d of days) report.totalFixes += (await recomputeDayTotals(store, d, { dryRun: o.dryRun })).length;
  }
  if (o.ranked && !o.dryRun) {
    const fixed = [...new Map(report.fixes.map((f) => [`${f.user_id}\u0001${f.day}`, { user: f.user_id, day: f.day }])).values()];
    await o.ranked.drop([...rankedScopes(fixed), ...[...new Set(report.globalFixes.map((f) => f.day))].map((day) => ({ scope: GLOBAL_SCOPE, day }))]);
  }
  return report;
}
