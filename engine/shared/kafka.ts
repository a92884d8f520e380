import { Kafka, logLevel as KafkaLogLevel } from 'kafkajs';
import type { logCreator } from 'kafkajs';
import type { Config } from './config';
import type { Logger } from './logger';

/** Route kafkajs's own log lines into our pino logger. */
function pinoLogCreator(log: Logger): logCreator {
  return () =>
    ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      const fields = { ...rest, component: 'kafkajs' };
      if (level === KafkaLogLevel.ERROR) log.error(fields, message);
      else if (level === KafkaLogLevel.WARN) log.warn(fields, message);
      else if (level === KafkaLogLevel.INFO) log.debug(fields, message);
      else log.trace(fields, message);
    };
}

/** One kafkajs client configured from Config. Producers/consumers/admins made from it must be disconnected by their owner. */
export function createKafka(config: Pick<Config, 'kafkaBrokers'>, log: Logger, clientId = 'topk'): Kafka {
  return new Kafka({
    clientId,
    brokers: config.kafkaBrokers,
    logLevel: KafkaLogLevel.WARN,
    logCreator: pinoLogCreator(log),
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8 },
  });
}
