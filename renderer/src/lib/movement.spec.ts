import { describe, expect, it } from 'vitest';
import { movementLabel } from './movement';

describe('movementLabel', () => {
  it('reads ↑3, ↓2, NEW, = and – for unknown', () => {
    expect(movementLabel({ change: 'up', delta: 3, previous_rank: 7 })).toEqual({ text: '↑3', title: 'Up 3 from #7' });
    expect(movementLabel({ change: 'down', delta: -2, previous_rank: 1 })).toEqual({ text: '↓2', title: 'Down 2 from #1' });
    expect(movementLabel({ change: 'new', delta: null, previous_rank: null }).text).toBe('NEW');
    expect(movementLabel({ change: 'same', delta: 0, previous_rank: 4 }).text).toBe('=');
    expect(movementLabel({ change: null, delta: null, previous_rank: null }).text).toBe('–');
    expect(movementLabel({ change: 'up', delta: null, previous_rank: null }).text).toBe('↑');
  });
});
