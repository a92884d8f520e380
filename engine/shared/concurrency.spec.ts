import { describe, expect, it } from 'vitest';
import { Semaphore } from './concurrency';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Semaphore', () => {
  it('lets at most `limit` callers run at once, the others in arrival order', async () => {
    const s = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const gates: Array<() => void> = [];
    const jobs = [0, 1, 2, 3, 4].map((i) =>
      s.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        running--;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(s.usage).toEqual({ held: 2, waiting: 3 });
    while (gates.length > 0 || started.length < 5) {
      gates.shift()?.();
      await tick();
    }
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(s.usage).toEqual({ held: 0, waiting: 0 });
  });

  it('frees the slot when the holder throws', async () => {
    const s = new Semaphore(1);
    await expect(s.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await s.run(async () => 7)).toBe(7);
    expect(s.usage).toEqual({ held: 0, waiting: 0 });
  });

  it('refuses a limit below one', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
