/**
 * Runs `fn` now and then every `ms` while the page is visible; never overlaps
 * runs. Returns a stop function.
 */
export function poll(fn: () => Promise<unknown>, ms: number): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async (): Promise<void> => {
    if (stopped) return;
    if (typeof document === 'undefined' || document.visibilityState !== 'hidden') {
      try {
        await fn();
      } catch {
        // the caller shows its own error state
      }
    }
    if (!stopped) timer = setTimeout(() => void tick(), ms);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/**
 * Subscribes to a Server-Sent Events URL; the browser reconnects on its own.
 * Returns a close function.
 */
export function subscribe<T>(url: string, onMessage: (data: T, event: string) => void, onState?: (open: boolean) => void, events: string[] = []): () => void {
  if (typeof EventSource === 'undefined') return () => {};
  const es = new EventSource(url);
  const handle = (name: string) => (e: MessageEvent<string>) => {
    try {
      onMessage(JSON.parse(e.data) as T, name);
    } catch {
      // ignore malformed frames
    }
  };
  es.onmessage = handle('message');
  for (const ev of events) es.addEventListener(ev, handle(ev) as EventListener);
  es.onopen = () => onState?.(true);
  es.onerror = () => onState?.(false);
  return () => es.close();
}
