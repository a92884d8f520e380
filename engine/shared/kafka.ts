import { Kafka, logLevel as KafkaLogLevel } from 'kafkajs';
import type { Config } from './config';
import { kafkaLogCreator } from './kafka-log';
import type { Logger } from './logger';

/** One kafkajs client configured from Config. Producers/consumers/admins made from it must be disconnected by their owner. */
export function createKafka(config: Pick<Config, 'kafkaBrokers'>, log: Logger, clientId = 'topk'): Kafka {
  return new Kafka({
    clientId,
    brokers: config.kafkaBrokers,
    logLevel: KafkaLogLevel.WARN,
    logCreator: kafkaLogCreator(log),
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8 },
  });
}
