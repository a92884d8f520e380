import { describe, expect, it } from 'vitest';
import { faultsThatTestedNothing, formatMarks } from './checks';

describe('fault suite: every fault must find outstanding work', () => {
  it('flags a kill that landed after every planned listen was committed (the issue\'s run: offset 116 743 of 116 743)', () => {
    const marks = [
      { fault: 'aggregator SIGKILL 1/4', progress: 0.31, outstanding: 80_112, unit: 'listens published, not committed' },
      { fault: 'aggregator SIGKILL 2/4', progress: 1, outstanding: 0, unit: 'listens published, not committed' },
      { fault: 'aggregator SIGKILL 3/4', progress: 1, outstanding: 0, unit: 'listens published, not committed' },
      { fault: 'aggregator SIGKILL 4/4', progress: 1, outstanding: 0, unit: 'listens published, not committed' },
    ];
    expect(faultsThatTestedNothing(marks, 4)).toEqual([
      'aggregator SIGKILL 2/4 at 100 % found no listens published, not committed',
      'aggregator SIGKILL 3/4 at 100 % found no listens published, not committed',
      'aggregator SIGKILL 4/4 at 100 % found no listens published, not committed',
    ]);
  });

  it('flags a case that injected fewer faults than planned', () => {
    expect(faultsThatTestedNothing([{ fault: 'crawler SIGKILL 1/2', progress: 0.15, outstanding: 3, unit: 'crawls running' }], 2)).toEqual(['1 of 2 planned faults were injected']);
  });

  it('passes faults that each found work, and formats them for the results table', () => {
    const marks = [
      { fault: 'Kafka restart', progress: 0.4012, outstanding: 2_345, unit: 'listens published, not committed' },
      { fault: 'Redis SIGKILL', progress: 0.65, outstanding: 7, unit: 'crawls running or queued' },
    ];
    expect(faultsThatTestedNothing(marks, 2)).toEqual([]);
    expect(formatMarks(marks)).toBe('Kafka restart at 40 %: 2,345 listens published, not committed; Redis SIGKILL at 65 %: 7 crawls running or queued');
  });
});
