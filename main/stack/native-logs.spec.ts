import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { START_MARK, exitReport } from './native-logs';

const file = (text: string): string => {
  const f = join(mkdtempSync(join(tmpdir(), 'topk-logs-')), 'kafka.log');
  writeFileSync(f, text);
  return f;
};

describe('exitReport', () => {
  it("puts the latest start's errors first, not only the shutdown that followed them", () => {
    const shutdown = Array.from({ length: 20 }, (_, i) => `[2026-12-01 02:19:47,${100 + i}] INFO [SharedServer id=1] stopping part ${i}`);
    const log = [
      `${START_MARK}java at 2026-12-01T01:00:00.000Z ---`,
      '[2026-12-01 01:00:05,000] ERROR an error from an earlier start (kafka.Kafka$)',
      `${START_MARK}java at 2026-12-01T02:19:41.000Z ---`,
      '[2026-12-01 02:19:46,900] INFO [KafkaRaftServer nodeId=1] starting (kafka.server.KafkaRaftServer)',
      '[2026-12-01 02:19:47,000] ERROR Exiting Kafka due to fatal exception during startup. (kafka.Kafka$)',
      'org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:39093: Address already in use.',
      '\tat kafka.network.Acceptor.openServerSocket(SocketServer.scala:734)',
      'Caused by: java.net.BindException: Address already in use',
      ...shutdown,
      '',
    ].join('\n');
    const report = exitReport(file(log), 5);
    const [errors, tail] = report.split('last lines:\n');
    expect(errors).toContain('Socket server failed to bind to 127.0.0.1:39093: Address already in use.');
    expect(errors).toContain('Caused by: java.net.BindException');
    expect(errors).toContain('ERROR Exiting Kafka');
    expect(errors).not.toContain('earlier start');
    expect(errors).not.toContain('openServerSocket');
    expect(tail).toContain('stopping part 19');
    expect(tail).not.toContain('stopping part 14');
  });

  it('is the plain tail when the log holds no error line', () => {
    const report = exitReport(file(`${START_MARK}redis-server at x ---\n1:M * Ready to accept connections tcp\n`), 5);
    expect(report).toMatch(/^last lines of .*kafka\.log:\n/);
    expect(report).toContain('Ready to accept connections');
  });

  it("shows Redis's bind failure, which is not marked ERROR", () => {
    const report = exitReport(file('1:M # Warning: Could not create server TCP listening socket 127.0.0.1:17379: bind: Address already in use\n1:M # Failed listening on port 17379 (tcp), aborting.\n'), 5);
    expect(report.split('last lines:')[0]).toContain('Could not create server TCP listening socket 127.0.0.1:17379');
  });
});
