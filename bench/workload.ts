/**
 * The ingest workload: N simulated listens of U users over D days, made with the
 * simulator's generator, kept compactly (typed arrays) so both the product and
 * the seed design can publish the same listens under their own user ids.
 */
import { catalogue, hash32, mulberry32 } from '../engine/crawler/sources/simulator-catalogue';
import type { SimTrack } from '../engine/crawler/sources/simulator-catalogue';
import { generateListens } from '../engine/crawler/sources/simulator';
import { DAY_MS, utcDay } from '../engine/shared/listen-identity';
import { UsageError } from '../main/cli/cli-args';

const PAGE_MS = 6 * 3_600_000;

export interface Workload {
  users: number;
  /** distinct listens */
  listens: number;
  /** publish order: index into the listen arrays (duplicates appear twice) */
  order: Uint32Array;
  user: Uint32Array;
  at: Float64Array;
  song: Uint16Array;
  tracks: SimTrack[];
  fromMs: number;
  toMs: number;
}

/**
 * `n` listens (exactly; a UsageError when `users` cannot make that many in `days`) for `users` users with listened_at in the last `days` days
 * (inside the retention window), plus `dupFraction`·n re-published copies as an
 * overlapping re-crawl would send, shuffled into the second half of the stream.
 */
export function makeWorkload(opts: { n: number; users: number; days: number; seed?: number; dupFraction?: number; now?: number }): Workload {
  const seed = opts.seed ?? 1;
  const now = opts.now ?? Date.now();
  const toMs = now - 60_000;
  const fromMs = now - opts.days * DAY_MS + 30 * 60_000;
  const cat = catalogue();
  const songIndex = new Map(cat.tracks.map((t, i) => [t.song_id, i]));
  let lpd = Math.max(1, Math.ceil((opts.n / opts.users / opts.days) * 1.15));
  let all: Array<{ u: number; at: number; s: number }> = [];
  let before = 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    all = [];
    // identities are (user, at, song): the generator can repeat one within a user; keep distinct ones
    const seen = new Set<string>();
    for (let u = 0; u < opts.users; u++) {
      for (const l of generateListens(seed, `u${u}`, fromMs, toMs, { listensPerDay: lpd })) {
        const s = songIndex.get(l.song_id)!;
        const k = `${u}|${l.listened_at}|${s}`;
        if (seen.has(k)) continue;
        seen.add(k);
        all.push({ u, at: l.listened_at, s });
      }
    }
    // enough, or the users' days are full (more listens a day asked for, barely more given)
    if (all.length >= opts.n || all.length < before * 1.02) break;
    before = all.length;
    lpd = Math.ceil(lpd * (opts.n / Math.max(1, all.length)) * 1.25);
  }
  if (all.length < opts.n) {
    // the simulator's users listen through the day and no more (a day holds a few hundred plays): a run that
    // needs more would publish less than it says, and measure a load it never offered
    const most = all.length;
    throw new UsageError(
      `${opts.users} users over ${opts.days} days give at most ${most} distinct listens (about ${Math.floor(most / opts.users / opts.days)} a user a day), fewer than the ${opts.n} this run needs: raise --users to at least ${Math.ceil((opts.users * opts.n * 1.1) / Math.max(1, most))} or ask for less`,
    );
  }
  const r = mulberry32(hash32('bench-workload', seed, opts.n, opts.users));
  // drop a random subset to get exactly n
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  all.length = opts.n;
  // crawler order: a user's 6-hour page at a time, pages in time order
  all.sort((a, b) => Math.floor(a.at / PAGE_MS) - Math.floor(b.at / PAGE_MS) || a.u - b.u || a.at - b.at);
  const n = all.length;
  const user = new Uint32Array(n);
  const at = new Float64Array(n);
  const song = new Uint16Array(n);
  all.forEach((l, i) => {
    user[i] = l.u;
    at[i] = l.at;
    song[i] = l.s;
  });
  const dups = Math.floor(n * (opts.dupFraction ?? 0));
  const order = new Uint32Array(n + dups);
  // a re-crawl re-sends listens already sent: copies of earlier listens inserted at random
  // points of the second half of the stream (the original order is kept)
  const half = Math.floor(n / 2);
  const copies: Array<[number, number]> = [];
  for (let k = 0; k < dups; k++) {
    const pos = half + Math.floor(r() * Math.max(1, n - half));
    copies.push([pos, Math.floor(r() * Math.max(1, pos))]);
  }
  copies.sort((a, b) => a[0] - b[0]);
  let o = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    while (c < copies.length && copies[c]![0] === i) order[o++] = copies[c++]![1];
    order[o++] = i;
  }
  return { users: opts.users, listens: n, order, user, at, song, tracks: cat.tracks, fromMs, toMs };
}

/** Expected daily counts per user: day → song_id → plays, from the distinct listens. */
export function expectedCounts(w: Workload): Array<Map<string, Map<string, number>>> {
  const out = Array.from({ length: w.users }, () => new Map<string, Map<string, number>>());
  for (let i = 0; i < w.listens; i++) {
    const day = utcDay(w.at[i]!);
    const perUser = out[w.user[i]!]!;
    let m = perUser.get(day);
    if (!m) perUser.set(day, (m = new Map()));
    const s = w.tracks[w.song[i]!]!.song_id;
    m.set(s, (m.get(s) ?? 0) + 1);
  }
  return out;
}
