import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { live } from './live';

/** A stand-in EventSource the test drives: open, error, and `changed` frames. */
class FakeEventSource {
  static last: FakeEventSource | undefined;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  private readonly listeners = new Map<string, (m: MessageEvent<string>) => void>();
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(name: string, fn: (m: MessageEvent<string>) => void): void {
    this.listeners.set(name, fn);
  }
  emit(data: unknown): void {
    this.listeners.get('changed')?.({ data: typeof data === 'string' ? data : JSON.stringify(data) } as MessageEvent<string>);
  }
  close(): void {
    this.closed = true;
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('live view refresh', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('EventSource', FakeEventSource);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('refreshes on relevant change events, polls only rarely while the stream is open and often when it is down', async () => {
    const refresh = vi.fn(async () => undefined);
    const stop = live({ eventsUrl: '/api/v1/events?token=t', relevant: (e) => e.users.includes('me'), refresh, fallbackMs: 3000, safetyMs: 60_000 });
    await flush();
    expect(refresh).toHaveBeenCalledTimes(1);
    const es = FakeEventSource.last!;
    expect(es.url).toBe('/api/v1/events?token=t');
    es.onopen!();
    await flush();
    expect(refresh).toHaveBeenCalledTimes(2);
    // connected: no 3-second polling
    await vi.advanceTimersByTimeAsync(10_000);
    expect(refresh).toHaveBeenCalledTimes(2);
    es.emit({ seq: 1, users: ['someone-else'], global: true, friends: true });
    await flush();
    expect(refresh).toHaveBeenCalledTimes(2);
    es.emit({ seq: 2, users: ['me'], global: true, friends: true });
    await flush();
    expect(refresh).toHaveBeenCalledTimes(3);
    es.emit('{garbage');
    await flush();
    expect(refresh).toHaveBeenCalledTimes(3);
    // the stream drops: fall back to polling
    es.onerror!();
    await vi.advanceTimersByTimeAsync(3000);
    expect(refresh).toHaveBeenCalledTimes(4);
    stop();
    expect(es.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(refresh).toHaveBeenCalledTimes(4);
  });

  it('never overlaps runs: changes during a run cause exactly one more', async () => {
    let release!: () => void;
    const refresh = vi.fn(() => new Promise<void>((r) => (release = r)));
    const stop = live({ eventsUrl: '/e', relevant: () => true, refresh, fallbackMs: 3000 });
    const es = FakeEventSource.last!;
    es.emit({ seq: 1, users: [], global: true, friends: true });
    es.emit({ seq: 2, users: [], global: true, friends: true });
    await flush();
    expect(refresh).toHaveBeenCalledTimes(1);
    release();
    await flush();
    expect(refresh).toHaveBeenCalledTimes(2);
    release();
    await flush();
    expect(refresh).toHaveBeenCalledTimes(2);
    stop();
  });

  it('polls at the fallback period when there is no EventSource', async () => {
    vi.stubGlobal('EventSource', undefined);
    const refresh = vi.fn(async () => undefined);
    const stop = live({ eventsUrl: '/e', relevant: () => true, refresh, fallbackMs: 1000 });
    await vi.advanceTimersByTimeAsync(3500);
    expect(refresh).toHaveBeenCalledTimes(4);
    stop();
  });
});
