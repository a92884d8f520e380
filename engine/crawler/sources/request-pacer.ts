import { sleep } from '../../shared/concurrency';

/** Spaces one process's requests to a service: at most one per `minIntervalMs`, and none before a wait the service asked for. */
export class RequestPacer {
  private nextSlot = 0;

  constructor(private readonly minIntervalMs: number) {}

  async wait(signal: AbortSignal): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.minIntervalMs;
    if (slot > now) await sleep(slot - now, signal);
  }

  /** no request before `at` (ms since epoch): a rate-limit window to wait out */
  holdUntil(at: number): void {
    this.nextSlot = Math.max(this.nextSlot, at);
  }
}
