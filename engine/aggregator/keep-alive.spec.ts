import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeepAlive } from './keep-alive';

describe('KeepAlive', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks for a heartbeat every interval while the batch runs, and none after stop', async () => {
    let beats = 0;
    const k = new KeepAlive(async () => void beats++, 3000);
    await vi.advanceTimersByTimeAsync(35_000); // a chunk longer than the 30 s session
    expect(beats).toBe(11);
    expect(k.lost()).toBe(false);
    k.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(beats).toBe(11);
  });

  it('a failed heartbeat marks the batch lost, reported once', async () => {
    const lost: unknown[] = [];
    let n = 0;
    const k = new KeepAlive(async () => {
      if (++n >= 2) throw new Error('The group is rebalancing, so a rejoin is needed');
    }, 1000, (e) => lost.push(e));
    await vi.advanceTimersByTimeAsync(1000);
    expect(k.lost()).toBe(false);
    await vi.advanceTimersByTimeAsync(3000);
    expect(k.lost()).toBe(true);
    expect(lost).toHaveLength(1);
    k.stop();
  });
});
