import type { Logger } from '../shared/logger';
import { DAY_MS, utcDay } from '../shared/listen-identity';
import type { CountStore } from '../shared/store/counts';
import type { PlayTotalStore } from '../shared/store/play-totals';

/**
 * Counter tables cannot expire: the janitor deletes daily_counts,
 * the global shards, the play totals and user_days/day_users rows of days older than retention
 * (raw listens expire by their own TTL).
 */
export class Janitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly o: { counts: CountStore; playTotals: PlayTotalStore; log: Logger; retentionDays: number; intervalMs?: number },
  ) {}

  start(): void {
    const run = (): void => {
      this.running = this.sweep().catch((err: unknown) => this.o.log.error({ err: (err as Error).message }, 'janitor sweep failed'));
    };
    run();
    this.timer = setInterval(run, this.o.intervalMs ?? 3_600_000);
  }

  /** The oldest day kept: days before it are deleted. */
  static cutoffDay(retentionDays: number, now = Date.now()): string {
    return utcDay(now - retentionDays * DAY_MS);
  }

  async sweep(now = Date.now()): Promise<{ userDays: number; globalDays: number }> {
    const { counts } = this.o;
    const cutoff = Janitor.cutoffDay(this.o.retentionDays, now);
    const oldDays = new Set<string>();
    let userDays = 0;
    const victims: Array<{ user: string; day: string }> = [];
    for await (const s of counts.allUserDays()) if (s.day < cutoff) victims.push(s);
    for (const { user, day } of victims) {
      await counts.deleteUserDay(user, day);
      await this.o.playTotals.dropUserDay(user, day);
      await counts.deleteDayOf(user, day);
      oldDays.add(day);
      userDays++;
    }
    for (const day of oldDays) {
      // the day's totals first: their shards are the ones day_shards names, deleted with the global counts
      await this.o.playTotals.dropDay(day, await counts.shardsOn(day));
      await counts.deleteGlobalDay(day);
      await counts.deleteUsersOn(day);
    }
    if (userDays > 0) this.o.log.info({ cutoff, user_days: userDays, global_days: oldDays.size }, 'janitor removed expired counts');
    return { userDays, globalDays: oldDays.size };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
