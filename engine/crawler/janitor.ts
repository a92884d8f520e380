import type { CassandraClient } from '../shared/cassandra';
import type { Logger } from '../shared/logger';
import { DAY_MS, utcDay } from '../shared/listen-identity';
import { dropDayTotals, dropUserDayTotal } from '../shared/store/play-totals';

/**
 * Counter tables cannot expire: the janitor deletes daily_counts,
 * global_daily_counts and user_days rows of days older than retention
 * (raw listens expire by their own TTL).
 */
export class Janitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly o: { db: CassandraClient; log: Logger; retentionDays: number; intervalMs?: number },
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
    const { db } = this.o;
    const cutoff = Janitor.cutoffDay(this.o.retentionDays, now);
    const oldDays = new Set<string>();
    let userDays = 0;
    const rows = db.stream('SELECT user_id, day FROM user_days', [], { prepare: true, fetchSize: 2000 }) as unknown as AsyncIterable<{ user_id: string; day: unknown }>;
    const victims: Array<[string, string]> = [];
    for await (const r of rows) {
      const day = String(r.day);
      if (day < cutoff) victims.push([r.user_id, day]);
    }
    for (const [user, day] of victims) {
      await db.execute('DELETE FROM daily_counts WHERE user_id = ? AND day = ?', [user, day], { prepare: true });
      await dropUserDayTotal(db, user, day);
      await db.execute('DELETE FROM user_days WHERE user_id = ? AND day = ?', [user, day], { prepare: true });
      oldDays.add(day);
      userDays++;
    }
    for (const day of oldDays) {
      await db.execute('DELETE FROM global_daily_counts WHERE day = ?', [day], { prepare: true });
      await dropDayTotals(db, day);
      await db.execute('DELETE FROM day_users WHERE day = ?', [day], { prepare: true });
    }
    if (userDays > 0) this.o.log.info({ cutoff, user_days: userDays, global_days: oldDays.size }, 'janitor removed expired counts');
    return { userDays, globalDays: oldDays.size };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
