import pino from 'pino';
import { loadConfig } from '../../../engine/shared/config';
import { createLogger } from '../../../engine/shared/logger';
import { createCassandra } from '../../../engine/shared/cassandra';
import { rebuildCounts } from '../../../engine/aggregator/rebuild';
import { createStore } from '../../../engine/shared/store/store';
import { createRedis } from '../../../engine/shared/redis';
import { RankedSets } from '../../../engine/shared/ranked-sets';
import { UsageError, refuseExtraArgs, runWithArgs } from '../cli-args';

export const REBUILD_USAGE = 'usage: topk rebuild [--user USER_ID] [--days N] [--dry-run] [--keyspace NAME]';

/** `topk rebuild`: recompute daily counts from raw listens and report what it fixed. */
export async function run(args: string[]): Promise<number> {
  return runWithArgs(args, { user: { type: 'string' }, days: { type: 'string' }, 'dry-run': { type: 'boolean' }, keyspace: { type: 'string' } }, REBUILD_USAGE, async ({ values, positionals }) => {
    refuseExtraArgs(positionals, REBUILD_USAGE);
    const config = loadConfig(values.keyspace ? { overrides: { keyspace: values.keyspace } } : {});
    let days = config.retentionDays;
    if (values.days !== undefined) {
      days = Number(values.days);
      if (!/^\d+$/.test(values.days) || days < 1 || days > config.retentionDays) {
        throw new UsageError(`--days must be an integer between 1 and ${config.retentionDays} (TOPK_RETENTION_DAYS)\n${REBUILD_USAGE}`);
      }
    }
    if (values.user !== undefined && values.user.trim() === '') throw new UsageError(`--user needs a user id\n${REBUILD_USAGE}`);
    const log = createLogger('rebuild', { level: 'warn', destination: pino.destination({ fd: 2, sync: true }) });
    const db = createCassandra(config, log);
    const redis = createRedis(config, log, { name: 'topk-rebuild' });
    try {
      const ranked = new RankedSets(redis, config.keyspace);
      const r = await rebuildCounts(createStore(db), { user: values.user, days, dryRun: values['dry-run'] === true, ranked });
      const verb = values['dry-run'] ? 'would fix' : 'fixed';
      for (const f of r.fixes) console.log(`${verb} user=${f.user_id} day=${f.day} song=${f.song_id}: ${f.before} -> ${f.after}`);
      for (const f of r.globalFixes) console.log(`${verb} global day=${f.day} song=${f.song_id}: ${f.before} -> ${f.after}`);
      console.log(
        `rebuild: ${r.users} user(s), ${r.days.length} day(s) (${r.days[r.days.length - 1]}..${r.days[0]}), ${r.slices} slice(s) checked; ` +
          `${verb} ${r.fixes.length} user count(s), ${r.globalFixes.length} global count(s) and ${r.totalFixes} play total(s)`,
      );
      return 0;
    } finally {
      redis.disconnect();
      await db.shutdown();
    }
  });
}
