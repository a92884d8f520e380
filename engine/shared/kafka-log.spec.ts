import { Writable } from 'node:stream';
import { logLevel } from 'kafkajs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-log';

/** What kafkajs hands its log creator, and the pino lines that come out at level debug. */
function emit(level: logLevel, log: { message: string } & Record<string, unknown>): Array<{ level: number; msg: string; component: string }> {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => (lines.push(chunk.toString()), cb()) });
  const logger = pino({ level: 'debug' }, sink);
  kafkaLogCreator(logger)(logLevel.WARN)({ namespace: 'Connection', level, label: 'x', log: { timestamp: new Date().toISOString(), ...log } });
  return lines.map((l) => JSON.parse(l) as { level: number; msg: string; component: string });
}
const DEBUG = 20;
const WARN = 40;
const ERROR = 50;

describe('kafkajs log levels', () => {
  it('a retried InitProducerId answer at startup (coordinator still loading) is debug, not a red ERROR', () => {
    const [line] = emit(logLevel.ERROR, {
      message: 'Response InitProducerId(key: 22, version: 1)',
      broker: '127.0.0.1:9092',
      clientId: 'topk-crawler',
      error: "The coordinator is loading and hence can't process requests for this group",
      correlationId: 1,
      size: 10,
    });
    expect(line).toMatchObject({ level: DEBUG, msg: 'Response InitProducerId(key: 22, version: 1)', component: 'kafkajs' });
  });

  it('a leader election seen by a Produce request is debug too', () => {
    expect(kafkaLogLevel(logLevel.ERROR, { message: 'Response Produce(key: 0, version: 7)', error: 'There is no leader for this topic-partition as we are in the middle of a leadership election' })).toBe('debug');
  });

  it('a non-retriable protocol answer stays an error', () => {
    const [line] = emit(logLevel.ERROR, { message: 'Response Produce(key: 0, version: 7)', error: 'Not authorized to access topics: [Topic authorization failed]' });
    expect(line?.level).toBe(ERROR);
  });

  it('failures that are not per-request answers stay errors (consumer crash, give-up after retries)', () => {
    expect(kafkaLogLevel(logLevel.ERROR, { message: 'Crash: KafkaJSNumberOfRetriesExceeded: The coordinator is not available', error: "The coordinator is loading and hence can't process requests for this group" })).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, { message: 'Failed to send messages: Connection error: connect ECONNREFUSED 127.0.0.1:9092' })).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, { message: 'Response Metadata(key: 3, version: 6)' })).toBe('error');
  });

  it('the partitioner-change and idempotent-retries warnings are debug; other warnings stay warnings', () => {
    const partitioner = emit(logLevel.WARN, { message: 'KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning behavior as in previous versions, …' });
    const retries = emit(logLevel.WARN, { message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees' });
    const rebalance = emit(logLevel.WARN, { message: 'The group is rebalancing, re-joining', groupId: 'g' });
    expect([partitioner[0]?.level, retries[0]?.level, rebalance[0]?.level]).toEqual([DEBUG, DEBUG, WARN]);
  });

  it('info is debug and debug is trace, as before', () => {
    expect([kafkaLogLevel(logLevel.INFO, { message: 'Starting' }), kafkaLogLevel(logLevel.DEBUG, { message: 'x' })]).toEqual(['debug', 'trace']);
  });
});
