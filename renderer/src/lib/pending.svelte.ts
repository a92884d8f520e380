import { errorMessage } from './api/http';

/**
 * The action a component runs at a time: which one (`busy`, the key it was started with,
 * so a button can say "Starting…") and why the last one failed (`error`, cleared when the
 * next one starts). A screen shows `error` in its banner and disables its buttons while busy.
 */
export class Pending<K = true> {
  busy = $state<K | null>(null);
  error = $state<string | null>(null);

  /** Runs `fn` as `key`; true when it succeeded, false when it failed (its message is in `error`). */
  async run(key: K, fn: () => Promise<unknown>): Promise<boolean> {
    this.busy = key;
    this.error = null;
    try {
      await fn();
      return true;
    } catch (e) {
      this.error = errorMessage(e);
      return false;
    } finally {
      this.busy = null;
    }
  }
}
