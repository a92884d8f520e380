import type { Disposable, ServiceName, StackProvider } from '../stack/types';
import { SERVICE_NAMES } from '../stack/types';
import type { LogStore } from './log-store';

/**
 * Follows the stack services' logs (Kafka, Cassandra, Redis) into the store.
 * A failing follow is retried after `retryMs` until disposed.
 */
export function followStackLogs(
  provider: Pick<StackProvider, 'logs'>,
  store: LogStore,
  opts: { services?: readonly ServiceName[]; tail?: number; retryMs?: number } = {},
): Disposable {
  const abort = new AbortController();
  const handles: Disposable[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const follow = (service: ServiceName, tail: number) => {
    if (abort.signal.aborted) return;
    provider
      .logs(service, (l) => store.ingestLine(l.service, l.line, l.stream, l.time), { follow: true, tail, signal: abort.signal })
      .then((h) => {
        if (abort.signal.aborted) void h.dispose();
        else handles.push(h);
      })
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        store.ingest({ service: 'control', level: 'warn', msg: `cannot follow ${service} logs: ${(err as Error).message}` });
        const t = setTimeout(() => {
          timers.delete(t);
          follow(service, 0);
        }, opts.retryMs ?? 5000);
        timers.add(t);
      });
  };
  for (const s of opts.services ?? SERVICE_NAMES) follow(s, opts.tail ?? 200);
  return {
    dispose: async () => {
      abort.abort();
      for (const t of timers) clearTimeout(t);
      await Promise.all(handles.splice(0).map((h) => h.dispose()));
    },
  };
}
