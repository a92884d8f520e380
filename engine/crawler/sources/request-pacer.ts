import { sleep } from '../../shared/concurrency';

/**
 * Spaces one process's requests to a service: at most one per `minIntervalMs`, none before a
 * wait the service asked for, and, once the service advertised its rate-limit window
 * (`window()`), no more requests than the window allows: each request takes one from the
 * window's budget before it is sent, so concurrent crawls cannot overrun it together.
 */
export class RequestPacer {
  private nextSlot = 0;
  /** requests sent (wait() returned) and not answered yet (done()) */
  private inFlight = 0;
  /** requests the window still allows: the last advertised remaining, less what was sent since */
  private budget: number | undefined;
  private resetAt = 0;

  constructor(private readonly minIntervalMs: number) {}

  async wait(signal: AbortSignal): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.minIntervalMs;
    if (slot > now) await sleep(slot - now, signal);
    while (this.budget !== undefined && this.budget <= 0) {
      const wait = this.resetAt - Date.now();
      if (wait <= 0) this.budget = undefined;
      else await sleep(wait, signal);
    }
    if (this.budget !== undefined) this.budget--;
    this.inFlight++;
  }

  /** the request wait() let through has its answer (or failed) */
  done(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** the service's window as an answer advertised it (requests still in flight may not be counted in `remaining` yet) */
  window(remaining: number, resetAt: number): void {
    this.budget = remaining - this.inFlight;
    this.resetAt = resetAt;
  }

  /** no request before `at` (ms since epoch): a rate-limit window to wait out */
  holdUntil(at: number): void {
    this.nextSlot = Math.max(this.nextSlot, at);
  }
}

/**
 * One request of a source to its service: paced by `pacer`, bounded by `timeoutMs`, its body
 * read in full. A timer holds the timeout's controller: an AbortSignal.timeout() that only
 * AbortSignal.any() refers to can be garbage-collected before it fires (Node 20), and a request
 * that never answered then hung the crawl until the server gave up (seen in the fault suite:
 * 300 s instead of 30 s). Retries are SourceRequests' (source-requests.ts), by each source's policy.
 */
export async function pacedFetch(o: {
  pacer: RequestPacer;
  fetch: typeof fetch;
  url: URL;
  headers: Record<string, string>;
  signal: AbortSignal;
  timeoutMs: number;
  /** the service's name, for the timeout's message */
  service: string;
}): Promise<{ res: Response; text: string }> {
  await o.pacer.wait(o.signal);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException(`${o.service} did not answer within ${o.timeoutMs} ms`, 'TimeoutError')), o.timeoutMs);
  try {
    const res = await o.fetch(o.url, { headers: o.headers, signal: AbortSignal.any([o.signal, timeout.signal]) });
    return { res, text: await res.text() };
  } finally {
    clearTimeout(timer);
    o.pacer.done();
  }
}
