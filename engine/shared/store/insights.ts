import cassandra from 'cassandra-driver';
import type { CassandraClient } from '../cassandra';
import { mapLimit } from '../concurrency';
import { readUserDayCounts } from './counts';

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
    const rows = db.stream(q, [userId, cassandra.types.LocalDate.fromString(day)], { prepare: true, fetchSize: 5000 }) as unknown as AsyncIterable<{ listened_at: Date }>;
    for await (const r of rows) out.push(r.listened_at.getTime());
    return out;
  });
  return parts.flat();
}

/** A user's plays per song for each of `days` (day → song → plays). */
export async function readUserSongsByDay(db: CassandraClient, userId: string, days: string[]): Promise<Map<string, Map<string, number>>> {
  const parts = await mapLimit(days, 8, (d) => readUserDayCounts(db, userId, d));
  return new Map(days.map((d, i) => [d, parts[i]!]));
}
