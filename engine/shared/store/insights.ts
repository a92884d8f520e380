import type { CassandraClient } from '../cassandra';
import { mapLimit } from '../concurrency';
import { CountStore } from './counts';
import { localDate, streamRows } from './rows';

/**
 * Reads behind the insights routes, each bounded by one user's own data: the
 * times of a user's raw listens (heatmap) and a user's per-day song counts
 * (first plays). Activity totals come from play-totals.ts.
 */

/** When each raw listen of `userId` on the given days started (ms since epoch), one partition per day. */
export async function readListenTimes(db: CassandraClient, userId: string, days: string[]): Promise<number[]> {
  const parts = await mapLimit(days, 8, async (day) => {
    const out: number[] = [];
    const q = 'SELECT listened_at FROM listens WHERE user_id = ? AND day = ?';
    for await (const t of streamRows(db, q, [userId, localDate(day)], (r) => (r.get('listened_at') as Date).getTime())) out.push(t);
    return out;
  });
  return parts.flat();
}

/** A user's plays per song for each of `days` (day → song → plays). */
export async function readUserSongsByDay(db: CassandraClient, userId: string, days: string[]): Promise<Map<string, Map<string, number>>> {
  const counts = new CountStore(db);
  // counters as stored may be zero or negative (deletes, recomputes): only plays count
  const parts = await mapLimit(days, 8, async (d) => new Map([...(await counts.userDay(userId, d))].filter(([, n]) => n > 0)));
  return new Map(days.map((d, i) => [d, parts[i]!]));
}
