/**
 * The background load's pace (`bench freshness`, `bench soak`): items are due at `perSecond` from the
 * start, and each tick sends everything due since the last one, as one call. A tick begins `tickMs`
 * after the one before began, or at once when the one before took longer (its late items go out
 * together, so the rate holds).
 *
 * The tick is what a crawler's page is: a publish of many listens at once. Before this, the loop sent
 * whatever was due as soon as the previous publish was acknowledged: at 12 150/s that was ~280
 * publishes a second of ~43 listens, ~7 messages a Kafka request, and the benchmark's publishing and
 * Kafka spent 6–7 and 7–15 µs of CPU a listen more than at 100 ms ticks (BENCHMARKS.md, twentieth
 * session) on the same two cores as the pipeline it measures.
 */
export interface PaceOptions {
  tickMs?: number;
  /** called before each tick (a dead pipeline throws there) */
  beforeTick?: () => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const TICK_MS = 100;

/** Sends items [0, total) in order, `send(from, to)` once a tick with the ones due; resolves after the last send. */
export async function sendPaced(total: number, perSecond: number, send: (from: number, to: number) => Promise<void>, o: PaceOptions = {}): Promise<void> {
  if (!(perSecond > 0)) throw new RangeError(`perSecond must be > 0, got ${perSecond}`);
  const tickMs = o.tickMs ?? TICK_MS;
  const now = o.now ?? (() => performance.now());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const t0 = now();
  let sent = 0;
  let tick = t0; // the first tick is one tick in, when items are due
  while (sent < total) {
    const wait = tick + tickMs - now();
    if (wait > 0) await sleep(wait);
    o.beforeTick?.();
    tick = now();
    const due = Math.min(total, Math.floor(((tick - t0) / 1000) * perSecond));
    if (due <= sent) continue;
    await send(sent, due);
    sent = due;
  }
}
