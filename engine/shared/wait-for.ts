/** What a probe of a service says: it answers (with its version), or why not. */
export interface ProbeResult {
  ok: boolean;
  version?: string;
  detail?: string;
}

/**
 * Polls `probe` until it answers ok, `deadline` passes, `abort` says stop,
 * or `failFast` returns a reason (e.g. the process died).
 */
export async function waitFor(
  what: string,
  probe: () => Promise<ProbeResult>,
  opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal; failFast?: () => string | undefined; onWaiting?: (elapsedMs: number, last: ProbeResult) => void },
): Promise<ProbeResult> {
  const start = Date.now();
  let last: ProbeResult = { ok: false, detail: 'not probed yet' };
  for (;;) {
    if (opts.signal?.aborted) throw new Error(`${what}: aborted`);
    last = await probe();
    if (last.ok) return last;
    const reason = opts.failFast?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    const elapsed = Date.now() - start;
    if (elapsed > opts.timeoutMs) throw new Error(`${what} did not answer within ${Math.round(opts.timeoutMs / 1000)} s (last error: ${last.detail ?? 'none'})`);
    opts.onWaiting?.(elapsed, last);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
}
