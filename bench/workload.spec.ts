import { describe, expect, it } from 'vitest';
import { UsageError } from '../main/cli/cli-args';
import { makeWorkload } from './workload';

const NOW = Date.UTC(2026, 10, 29, 12);

describe('makeWorkload', () => {
  it('gives exactly n distinct listens and the re-crawled copies asked for', () => {
    const w = makeWorkload({ n: 3000, users: 5, days: 3, dupFraction: 0.1, now: NOW });
    expect(w.listens).toBe(3000);
    expect(w.order.length).toBe(3300);
    const ids = new Set<string>();
    for (let i = 0; i < w.listens; i++) ids.add(`${w.user[i]}|${w.at[i]}|${w.song[i]}`);
    expect(ids.size).toBe(3000);
  });

  it('refuses a run its users cannot fill (their days are full) instead of giving fewer listens', () => {
    // a simulated user plays a few hundred songs a day at most: 2 users × 1 day cannot give 5 000
    let caught: unknown;
    try {
      makeWorkload({ n: 5000, users: 2, days: 1, now: NOW });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(2);
    expect((caught as Error).message).toMatch(/^2 users over 1 days give at most \d+ distinct listens .* fewer than the 5000 this run needs: raise --users to at least \d+/);
    // the advice holds: that many users do give the listens
    const users = Number(/at least (\d+)/.exec((caught as Error).message)![1]);
    expect(makeWorkload({ n: 5000, users, days: 1, now: NOW }).listens).toBe(5000);
  });
});
