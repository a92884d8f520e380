import { describe, expect, it } from 'vitest';
import { keepsIntent, UnverifiedIntents } from './intent-verification';

const up = (): boolean => true;
const down = (): boolean => false;

describe('keepsIntent', () => {
  it('drops an intent only when its recovery read every replica (ALL)', () => {
    expect(keepsIntent('all')).toBe(false);
    // a node down: the dead counter leader may hold increments this recovery could not see
    expect(keepsIntent('node-down')).toBe(true);
    // every node looked up but a read at ALL failed: it ran at the client's level, same blind spot
    expect(keepsIntent('all-failed')).toBe(true);
  });
});

describe('UnverifiedIntents', () => {
  it('never asks a partition whose recovery kept nothing to recover again', () => {
    const u = new UnverifiedIntents(10_000);
    expect(u.due(0, up, 0)).toBe(false);
    u.recovered(0, { kept: 0, allFailed: false }, 0);
    expect(u.due(0, up, 1)).toBe(false);
    expect(u.partitions()).toEqual([]);
  });

  it('re-verifies kept intents at the next batch once every node is up, not while one is down', () => {
    const u = new UnverifiedIntents(10_000);
    u.recovered(4, { kept: 2, allFailed: false }, 1000);
    expect(u.due(4, down, 1000)).toBe(false);
    expect(u.due(4, down, 200_000)).toBe(false);
    // the node is back (it answers after its commit-log replay): due at once, whatever time passed
    expect(u.due(4, up, 1000)).toBe(true);
    // other partitions are not concerned
    expect(u.due(3, up, 1000)).toBe(false);
    expect(u.partitions()).toEqual([4]);
  });

  it('forgets the partition once a recovery at ALL dropped every kept intent', () => {
    const u = new UnverifiedIntents(10_000);
    u.recovered(1, { kept: 1, allFailed: false }, 0);
    u.recovered(1, { kept: 0, allFailed: false }, 5000);
    expect(u.due(1, up, 6000)).toBe(false);
    expect(u.partitions()).toEqual([]);
  });

  it('asks whether every node is up only for a partition with kept intents (the happy path costs a map lookup)', () => {
    const u = new UnverifiedIntents(10_000);
    let asked = 0;
    const probe = (): boolean => {
      asked++;
      return true;
    };
    expect(u.due(0, probe, 0)).toBe(false);
    expect(asked).toBe(0);
    u.recovered(0, { kept: 1, allFailed: false }, 0);
    expect(u.due(0, probe, 0)).toBe(true);
    expect(asked).toBe(1);
  });

  it('waits the retry interval after a read at ALL failed with every node looking up', () => {
    const u = new UnverifiedIntents(10_000);
    u.recovered(2, { kept: 1, allFailed: true }, 50_000);
    expect(u.due(2, up, 50_000)).toBe(false);
    expect(u.due(2, up, 59_999)).toBe(false);
    expect(u.due(2, up, 60_000)).toBe(true);
    expect(u.due(2, down, 60_000)).toBe(false);
  });

  it('is cleared by a new assignment (each assigned partition is recovered in full before its first batch)', () => {
    const u = new UnverifiedIntents(10_000);
    u.recovered(0, { kept: 1, allFailed: false }, 0);
    u.recovered(5, { kept: 3, allFailed: false }, 0);
    u.clear();
    expect(u.partitions()).toEqual([]);
    expect(u.due(0, up, 1)).toBe(false);
  });

  it('lists the partitions due now for the timer, asking whether every node is up only when one waits', () => {
    const u = new UnverifiedIntents(10_000);
    let asked = 0;
    const probe = (answer: boolean) => (): boolean => {
      asked++;
      return answer;
    };
    expect(u.duePartitions(probe(true), 0)).toEqual([]);
    expect(asked).toBe(0);
    u.recovered(3, { kept: 1, allFailed: false }, 0);
    u.recovered(1, { kept: 2, allFailed: false }, 0);
    u.recovered(5, { kept: 1, allFailed: true }, 0);
    // a node still down: nothing is due, however long ago
    expect(u.duePartitions(probe(false), 100_000)).toEqual([]);
    expect(asked).toBe(1);
    // every node up: the two kept while a node was down, not the one still in its retry interval
    expect(u.duePartitions(probe(true), 5_000)).toEqual([1, 3]);
    expect(u.duePartitions(probe(true), 10_000)).toEqual([1, 3, 5]);
    // only 5 waits, still in its interval: not due, and no question asked
    u.recovered(1, { kept: 0, allFailed: false }, 0);
    u.recovered(3, { kept: 0, allFailed: false }, 0);
    u.recovered(5, { kept: 1, allFailed: true }, 20_000);
    asked = 0;
    expect(u.duePartitions(probe(true), 25_000)).toEqual([]);
    expect(asked).toBe(0);
  });
});
