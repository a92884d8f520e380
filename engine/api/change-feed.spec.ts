import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChangeFeed, feedFromInvalidations } from './change-feed';
import type { ChangeEvent } from './change-feed';

describe('ChangeFeed', () => {
  afterEach(() => vi.useRealTimers());

  it('coalesces the users of a burst into one event, then starts a new one', () => {
    vi.useFakeTimers();
    const feed = new ChangeFeed({ coalesceMs: 100 });
    const seen: ChangeEvent[] = [];
    feed.follow((e) => seen.push(e));
    feed.changed(['b', 'a']);
    feed.changed(['a', 'c']);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([{ seq: 1, users: ['a', 'b', 'c'], global: true, friends: true }]);
    feed.changed(['d']);
    vi.advanceTimersByTime(100);
    expect(seen[1]).toEqual({ seq: 2, users: ['d'], global: true, friends: true });
  });

  it('says "all" instead of a list longer than maxUsers, and after everything()', () => {
    vi.useFakeTimers();
    const feed = new ChangeFeed({ coalesceMs: 10, maxUsers: 2 });
    const seen: ChangeEvent[] = [];
    const unfollow = feed.follow((e) => seen.push(e));
    feed.changed(['a', 'b', 'c']);
    feed.changed(['d']);
    vi.advanceTimersByTime(10);
    expect(seen).toEqual([{ seq: 1, users: [], global: true, friends: true, all: true }]);
    unfollow();
    feed.everything();
    vi.advanceTimersByTime(10);
    expect(seen).toHaveLength(1);
    expect(feed.followerCount).toBe(0);
  });

  it('reads the invalidation channel: users as sent, garbage and reconnects as "all", other channels ignored', () => {
    vi.useFakeTimers();
    const feed = new ChangeFeed({ coalesceMs: 10 });
    const seen: ChangeEvent[] = [];
    feed.follow((e) => seen.push(e));
    const sub = Object.assign(new EventEmitter(), { status: 'ready' });
    feedFromInvalidations(sub, 'topk:ks:invalidate', feed);
    sub.emit('message', 'other', JSON.stringify({ users: ['x'] }));
    sub.emit('message', 'topk:ks:invalidate', JSON.stringify({ users: ['u1', 7], days: [] }));
    vi.advanceTimersByTime(10);
    expect(seen).toEqual([{ seq: 1, users: ['u1'], global: true, friends: true }]);
    sub.emit('message', 'topk:ks:invalidate', '{not json');
    vi.advanceTimersByTime(10);
    expect(seen[1]).toMatchObject({ all: true });
    sub.emit('ready');
    vi.advanceTimersByTime(10);
    expect(seen[2]).toMatchObject({ seq: 3, all: true });
  });
});
