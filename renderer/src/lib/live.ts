/**
 * Keeps a view fresh from the engine's change stream (`GET /v1/events`
 * through the control server's proxy): `refresh` runs now, again whenever an
 * event says a relevant answer changed, and on a timer only as a fallback —
 * every `fallbackMs` while the stream is not open (no EventSource, proxy or
 * API away), every `safetyMs` while it is. Runs never overlap; a change that
 * arrives during a run causes one more run after it. Hidden pages skip timer
 * runs (a change event still refreshes them on return via the next timer).
 */
export interface ChangeEvent {
  seq: number;
  users: string[];
  global: boolean;
  friends: boolean;
  all?: boolean;
}

export interface LiveOptions {
  /** the authenticated events URL; null polls only */
  eventsUrl: string | null;
  /** whether an event touches what the view shows */
  relevant: (e: ChangeEvent) => boolean;
  refresh: () => Promise<unknown>;
  fallbackMs: number;
  safetyMs?: number;
}

export function live(o: LiveOptions): () => void {
  let stopped = false;
  let open = false;
  let running = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => void run(true), open ? (o.safetyMs ?? 60_000) : o.fallbackMs);
  };
  const run = async (fromTimer: boolean): Promise<void> => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (fromTimer && typeof document !== 'undefined' && document.visibilityState === 'hidden') return schedule();
    running = true;
    try {
      await o.refresh();
    } catch {
      // the caller shows its own error state
    } finally {
      running = false;
    }
    if (again && !stopped) {
      again = false;
      return run(false);
    }
    schedule();
  };
  let es: EventSource | undefined;
  if (o.eventsUrl && typeof EventSource !== 'undefined') {
    es = new EventSource(o.eventsUrl);
    es.onopen = () => {
      const wasOpen = open;
      open = true;
      // (re)connected: events may have been missed while the stream was down
      if (wasOpen) schedule();
      else void run(false);
    };
    es.onerror = () => {
      open = false;
      schedule();
    };
    es.addEventListener('changed', (m: MessageEvent<string>) => {
      try {
        if (o.relevant(JSON.parse(m.data) as ChangeEvent)) void run(false);
      } catch {
        // a malformed frame changes nothing
      }
    });
  }
  void run(false);
  return () => {
    stopped = true;
    es?.close();
    if (timer) clearTimeout(timer);
  };
}
