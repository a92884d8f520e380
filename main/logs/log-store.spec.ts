import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/shared/logger';
import { LogStore } from './log-store';
import type { LogEntry } from './log-store';
import { RotatingFile } from './rotating-file';
import { followStackLogs } from './stack-logs';
import type { ServiceLogLine, StackProvider } from '../stack/types';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'logs-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const TOKEN = 'the-api-token-value-0123456789abcdef';

describe('LogStore', () => {
  it('parses pino JSON lines (label or numeric levels) and plain text lines', () => {
    const s = new LogStore();
    const a = s.ingestLine('aggregator', JSON.stringify({ level: 'warn', time: '2024-05-01T10:00:00.000Z', service: 'aggregator', pid: 7, msg: 'slow batch', batch: 12 }));
    expect(a).toMatchObject({ service: 'aggregator', level: 'warn', msg: 'slow batch', time: '2024-05-01T10:00:00.000Z', fields: { pid: 7, batch: 12 } });
    const b = s.ingestLine('api', JSON.stringify({ level: 50, time: 1714557600000, msg: 'boom' }));
    expect(b).toMatchObject({ service: 'api', level: 'error', time: '2024-05-01T10:00:00.000Z' });
    const c = s.ingestLine('kafka', '[2024-05-01 10:00:00,000] WARN [Controller] something odd', 'stdout');
    expect(c.level).toBe('warn');
    const d = s.ingestLine('crawler', 'TypeError: x is undefined', 'stderr');
    expect(d).toMatchObject({ level: 'error', stream: 'stderr', msg: 'TypeError: x is undefined' });
    expect([a, b, c, d].map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('queries by service, minimum level, time range, text and limit', () => {
    const s = new LogStore();
    const t0 = Date.parse('2024-05-01T10:00:00Z');
    for (let i = 0; i < 100; i++) {
      s.ingest({
        service: i % 2 ? 'api' : 'crawler',
        level: i % 10 === 0 ? 'error' : 'info',
        msg: `line ${i}${i === 42 ? ' Needle' : ''}`,
        time: new Date(t0 + i * 1000).toISOString(),
      });
    }
    expect(s.query({ service: 'api' })).toHaveLength(50);
    expect(s.query({ service: ['api', 'crawler'], level: 'error' }).map((e) => e.msg)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i * 10}`));
    expect(s.query({ since: new Date(t0 + 90_000).toISOString(), until: t0 + 92_000 }).map((e) => e.msg)).toEqual(['line 90', 'line 91', 'line 92']);
    expect(s.query({ text: 'needle' }).map((e) => e.msg)).toEqual(['line 42 Needle']);
    const last = s.query({ limit: 3 });
    expect(last.map((e) => e.msg)).toEqual(['line 97', 'line 98', 'line 99']);
    expect(s.query({ afterSeq: 98 }).map((e) => e.seq)).toEqual([99, 100]);
  });

  it('keeps only the newest ringSize entries', () => {
    const s = new LogStore({ ringSize: 10 });
    for (let i = 0; i < 25; i++) s.ingest({ service: 'x', level: 'info', msg: String(i) });
    const all = s.query({ limit: 100 });
    expect(all.map((e) => e.msg)).toEqual(Array.from({ length: 10 }, (_, i) => String(15 + i)));
  });

  it('notifies subscribers of matching new entries until disposed', () => {
    const s = new LogStore();
    const got: LogEntry[] = [];
    const sub = s.subscribe({ service: 'api', level: 'warn' }, (e) => got.push(e));
    s.ingest({ service: 'api', level: 'info', msg: 'no' });
    s.ingest({ service: 'crawler', level: 'error', msg: 'no' });
    s.ingest({ service: 'api', level: 'error', msg: 'yes' });
    sub.dispose();
    s.ingest({ service: 'api', level: 'error', msg: 'after' });
    expect(got.map((e) => e.msg)).toEqual(['yes']);
  });

  it('exports NDJSON and text', () => {
    const s = new LogStore();
    s.ingest({ service: 'api', level: 'info', msg: 'one', time: '2024-05-01T10:00:00.000Z' });
    s.ingest({ service: 'api', level: 'warn', msg: 'two', time: '2024-05-01T10:00:01.000Z', fields: { n: 2 } });
    const nd = [...s.export({}, 'ndjson')].join('');
    expect(nd.trim().split('\n').map((l) => (JSON.parse(l) as LogEntry).msg)).toEqual(['one', 'two']);
    const txt = [...s.export({ level: 'warn' }, 'text')].join('');
    expect(txt).toBe('2024-05-01T10:00:01.000Z WARN  [api] two {"n":2}\n');
  });

  it('never lets secrets reach the ring, subscribers or the files', () => {
    const dir = tmp();
    const s = new LogStore({ dir, secrets: [TOKEN] });
    const seen: string[] = [];
    s.subscribe({}, (e) => seen.push(JSON.stringify(e)));
    const gho = 'gho_16C7e42F292c6912E7710c838347Ae178B4a';
    s.ingestLine('api', JSON.stringify({ level: 'info', msg: `incoming GET /v1/x?token=${TOKEN}`, req: { headers: { authorization: `Bearer ${TOKEN}` } } }));
    s.ingestLine('crawler', `github said ${gho} was revoked`, 'stderr');
    s.ingestLine('crawler', `{"level":"info","msg":"half json ${TOKEN}"`);
    s.ingest({ service: 'control', level: 'info', msg: `Authorization: Bearer ${TOKEN}`, fields: { accessToken: gho } });
    const log = createLogger('control', { destination: s.destination('control') });
    log.info({ headers: { authorization: `token ${gho}` } }, `token=${TOKEN}`);
    s.close();
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    const ring = JSON.stringify(s.query());
    for (const where of [files, ring, seen.join('\n')]) {
      expect(where).not.toContain(TOKEN);
      expect(where).not.toContain(gho);
      expect(where).toContain('[redacted]');
    }
    expect(s.query()).toHaveLength(5);
  });

  it('writes NDJSON under the log dir and rotates by size keeping N files', () => {
    const dir = tmp();
    const s = new LogStore({ dir, file: { maxBytes: 2000, keep: 2, flushMs: 5 } });
    for (let i = 0; i < 100; i++) s.ingest({ service: 'api', level: 'info', msg: `entry ${i} ${'x'.repeat(50)}` });
    s.close();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['topk.log', 'topk.log.1', 'topk.log.2']);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2000);
      for (const l of text.trim().split('\n')) expect((JSON.parse(l) as LogEntry).service).toBe('api');
    }
    const newest = readFileSync(join(dir, 'topk.log'), 'utf8').trim().split('\n');
    expect((JSON.parse(newest.at(-1)!) as LogEntry).msg).toMatch(/^entry 99 /);
  });

  it('appends to an existing file across restarts', () => {
    const dir = tmp();
    const f1 = new RotatingFile({ dir });
    f1.write('a');
    f1.close();
    const f2 = new RotatingFile({ dir });
    f2.write('b');
    f2.close();
    expect(readFileSync(join(dir, 'topk.log'), 'utf8')).toBe('a\nb\n');
  });

  it('follows stack service logs from the provider', async () => {
    const s = new LogStore();
    let calls = 0;
    const provider: Pick<StackProvider, 'logs'> = {
      logs: (service, onLine) => {
        calls++;
        if (service === 'redis' && calls < 4) return Promise.reject(new Error('not yet'));
        const l: ServiceLogLine = { service, stream: 'stdout', time: '2024-05-01T10:00:00.000Z', line: `${service} says hi` };
        onLine(l);
        return Promise.resolve({ dispose: () => undefined });
      },
    };
    const h = followStackLogs(provider, s, { retryMs: 10 });
    await new Promise((r) => setTimeout(r, 100));
    await h.dispose();
    expect(s.query({ service: ['kafka', 'cassandra', 'redis'] }).map((e) => e.msg).sort()).toEqual(['cassandra says hi', 'kafka says hi', 'redis says hi']);
    expect(s.query({ service: 'control', text: 'cannot follow redis' })).toHaveLength(1);
  });
});
