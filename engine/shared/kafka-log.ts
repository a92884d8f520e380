import { logLevel as KafkaLogLevel } from 'kafkajs';
import type { LogEntry, logCreator } from 'kafkajs';
import { errorCodes } from 'kafkajs/src/protocol/error.js';
import type { Logger } from './logger';

/**
 * Messages of the Kafka protocol errors kafkajs retries by itself (leader
 * elections, a coordinator still loading at startup, …). kafkajs logs each
 * failed attempt as an ERROR `Response <Api>(key: …)`; the operation only
 * fails for us when its retries run out, and then the caller gets (and logs)
 * the exception.
 */
const RETRIABLE = new Set(errorCodes.filter((e) => e.retriable).map((e) => e.message));

/**
 * Warnings about choices this project made on purpose: the default
 * partitioner (we use the v2 default), and a bounded retry count on the
 * idempotent producer (counts stay exact through dedupe by listen identity,
 * and a publish that gives up is retried by its caller).
 */
const EXPECTED_WARNINGS = [/^KafkaJS v2\.0\.0 switched default partitioner/, /^Limiting retries for the idempotent producer/];

export type PinoLevel = 'error' | 'warn' | 'debug' | 'trace';

/** The pino level a kafkajs log line deserves: expected transients go to debug, real failures stay errors. */
export function kafkaLogLevel(level: KafkaLogLevel, entry: Pick<LogEntry['log'], 'message'> & Record<string, unknown>): PinoLevel {
  if (level === KafkaLogLevel.ERROR) {
    const transient = entry.message.startsWith('Response ') && typeof entry.error === 'string' && RETRIABLE.has(entry.error);
    return transient ? 'debug' : 'error';
  }
  if (level === KafkaLogLevel.WARN) return EXPECTED_WARNINGS.some((re) => re.test(entry.message)) ? 'debug' : 'warn';
  return level === KafkaLogLevel.INFO ? 'debug' : 'trace';
}

/** Routes kafkajs's own log lines into a pino logger at the level `kafkaLogLevel` picks. */
export function kafkaLogCreator(log: Logger): logCreator {
  return () =>
    ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      log[kafkaLogLevel(level, entry)]({ ...rest, component: 'kafkajs' }, message);
    };
}
