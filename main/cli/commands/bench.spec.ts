import { describe, expect, it, vi } from 'vitest';
import { UsageError } from '../cli-args';
import { ingestArgs, run } from './bench';

describe('topk bench ingest arguments', () => {
  it('fills the defaults around the required --listens and --users', () => {
    expect(ingestArgs({ listens: '300000', users: '1000' }, 'topk_bench')).toEqual({
      listens: 300_000,
      users: 1000,
      days: 7,
      partitions: 6,
      duplicates: 0.05,
      baseline: false,
      baselineSeconds: 120,
      json: false,
      keyspace: 'topk_bench',
      keepData: false,
    });
  });

  it('takes every flag as given', () => {
    const a = ingestArgs(
      { listens: '400', users: '4', days: '2', partitions: '12', duplicates: '0', baseline: true, 'baseline-seconds': '30', json: true, 'keep-data': true },
      'topk_x',
    );
    expect(a).toMatchObject({ listens: 400, users: 4, days: 2, partitions: 12, duplicates: 0, baseline: true, baselineSeconds: 30, json: true, keepData: true, keyspace: 'topk_x' });
  });

  it.each([
    [{ users: '4' }, /--listens is required/],
    [{ listens: '400' }, /--users is required/],
    [{ listens: '0', users: '4' }, /--listens must be an integer between 1 and/],
    [{ listens: '1e5', users: '4' }, /--listens must be an integer/],
    [{ listens: '400', users: '4', partitions: '-1' }, /--partitions must be an integer/],
    [{ listens: '400', users: '4', duplicates: '1.5' }, /--duplicates must be a fraction between 0 and 1, got "1.5"/],
    [{ listens: '400', users: '4', duplicates: ' ' }, /--duplicates must be a fraction/],
    [{ listens: '400', users: '4', 'baseline-seconds': 'soon' }, /--baseline-seconds must be an integer/],
  ])('rejects %j with a usage error naming the flag', (values, message) => {
    let caught: unknown;
    try {
      ingestArgs(values, 'topk_bench');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(2);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('topk bench query arguments', () => {
  it.each([
    [['query', '--seconds', '1', '--connections', '1', '--warmup', '2'], /--warmup needs --rate/],
    [['query', '--seconds', '1', '--connections', '1', '--rate', '10', '--warmup', 'soon'], /--warmup must be a number between 0 and 600/],
  ])('rejects %j with exit 2 before anything starts', async (args, message) => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await run(args)).toBe(2);
      expect(printed.mock.calls.map((c) => String(c[0])).join('')).toMatch(message);
    } finally {
      printed.mockRestore();
    }
  });
});
