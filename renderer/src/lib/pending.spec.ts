import { describe, expect, it } from 'vitest';
import { ApiError } from './api/http';
import { Pending } from './pending.svelte';

describe('Pending', () => {
  it('is busy with the key while the action runs, then idle; true on success', async () => {
    const p = new Pending<string>();
    let seen: string | null = null;
    const ok = await p.run('save', async () => {
      seen = p.busy;
    });
    expect([ok, seen, p.busy, p.error]).toEqual([true, 'save', null, null]);
  });

  it('keeps the failure message until the next action starts', async () => {
    const p = new Pending();
    expect(await p.run(true, () => Promise.reject(new ApiError(409, 'conflict', 'already running')))).toBe(false);
    expect([p.busy, p.error]).toEqual([null, 'already running']);
    let during: string | null = 'unset';
    await p.run(true, async () => {
      during = p.error;
    });
    expect([during, p.error]).toEqual([null, null]);
  });
});
