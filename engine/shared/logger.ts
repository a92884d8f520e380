import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/** Keys whose values are secrets: pino replaces them before a line is written. */
export const REDACT_PATHS = [
  'token',
  'apiToken',
  'accessToken',
  'access_token',
  'refreshToken',
  'clientSecret',
  'client_secret',
  'password',
  'authorization',
  'key',
  '*.token',
  '*.apiToken',
  '*.accessToken',
  '*.access_token',
  '*.password',
  '*.authorization',
  '*.clientSecret',
  'headers.authorization',
  'req.headers.authorization',
  'config.apiToken',
  'config.githubClientSecret',
];

/**
 * A pino logger writing JSON lines with `service` on every line, at `level` (the config's
 * `logLevel` where a process has one; 'info' before it has read its config).
 * Engine processes log to stdout; the supervisor collects the lines.
 */
export function createLogger(service: string, opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service, pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
