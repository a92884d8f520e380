/**
 * How an engine process — and a benchmark's seed-design process — starts and ends: a failure
 * to start is logged as fatal and ends the process with 1; SIGTERM or SIGINT runs its `stop`
 * once (close what it started), then the log is flushed and the process ends with 0.
 */
import { createLogger } from './logger';
import type { Logger } from './logger';

/** The pause before exiting, so the flushed log lines reach the supervisor's pipe. */
const EXIT_DELAY_MS = 50;

/** Runs the process's `main`; when it fails, logs `<service> failed to start` and exits 1. */
export function runProcess(service: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const log = createLogger(service);
    log.fatal({ err: (err as Error).message, stack: (err as Error).stack }, `${service} failed to start`);
    log.flush();
    setTimeout(() => process.exit(1), EXIT_DELAY_MS);
  });
}

/** On the first SIGTERM or SIGINT: logs `shutting down`, awaits `stop`, flushes the log and exits 0. */
export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await stop();
    log.flush();
    setTimeout(() => process.exit(0), EXIT_DELAY_MS);
  };
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
  process.on('SIGINT', () => void onSignal('SIGINT'));
}
