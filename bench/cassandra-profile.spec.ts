import { describe, expect, it } from 'vitest';
import { spinCpu } from '../test/helpers/spin-cpu';
import { poolOf, sampleThreads, tableProfile, threadProfile } from './cassandra-profile';
import type { TableOps } from './cassandra-profile';

describe('Cassandra profile of a benchmark window', () => {
  it('reports the tables that changed, per listen, busiest first', () => {
    const before: TableOps = new Map([
      ['listens', { writes: 100, reads: 40 }],
      ['users', { writes: 3, reads: 9 }],
    ]);
    const after: TableOps = new Map([
      ['listens', { writes: 1100, reads: 240 }],
      ['users', { writes: 3, reads: 9 }],
      ['daily_counts', { writes: 3000, reads: 0 }],
    ]);
    expect(tableProfile(before, after, 4000)).toEqual([
      { table: 'daily_counts', writes: 3000, reads: 0, writes_per_listen: 0.75, reads_per_listen: 0 },
      { table: 'listens', writes: 1000, reads: 200, writes_per_listen: 0.25, reads_per_listen: 0.05 },
    ]);
  });

  it('names a thread after its pool, without the worker number', () => {
    expect(poolOf('MutationStage-12')).toBe('MutationStage');
    expect(poolOf('Native-Transpor')).toBe('Native-Transpor');
    expect(poolOf('GC Thread#1')).toBe('GC Thread');
    expect(poolOf('GossipTasks:1')).toBe('GossipTasks');
    expect(poolOf('java')).toBe('java');
  });

  it('folds pools under 1 % of the CPU into other', () => {
    const pools = [
      { pool: 'Native-Transpor', cpu_seconds: 60 },
      { pool: 'CounterMutation', cpu_seconds: 39.5 },
      { pool: 'GossipTasks', cpu_seconds: 0.3 },
      { pool: 'HintsWriteExecu', cpu_seconds: 0.2 },
    ];
    expect(threadProfile(pools, 100_000)).toEqual([
      { pool: 'Native-Transpor', cpu_seconds: 60, cpu_us_per_listen: 600 },
      { pool: 'CounterMutation', cpu_seconds: 39.5, cpu_us_per_listen: 395 },
      { pool: 'other', cpu_seconds: 0.5, cpu_us_per_listen: 5 },
    ]);
  });

  it.runIf(process.platform === 'linux')('counts the CPU of a live process under its threads', () => {
    const s = sampleThreads(process.pid);
    const spent = spinCpu(0.15);
    const pools = s.stop();
    expect(spent).toBeGreaterThanOrEqual(0.15);
    const total = pools.reduce((a, p) => a + p.cpu_seconds, 0);
    expect(total).toBeGreaterThanOrEqual(0.1);
    expect(total).toBeLessThan(5);
  });
});
