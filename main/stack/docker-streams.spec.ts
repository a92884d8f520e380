import { describe, expect, it } from 'vitest';
import { LogDemuxer, PullProgress } from './docker-streams';
import type { DemuxedLine } from './docker-streams';
import { statusFromInspect } from './docker-health';
import { withTag } from './docker-images';
import type Docker from 'dockerode';

describe('PullProgress', () => {
  it('aggregates per-layer download and extraction into one percentage and bytes', () => {
    const p = new PullProgress();
    p.update({ status: 'Pulling from library/redis', id: '7' });
    p.update({ status: 'Pulling fs layer', id: 'aaaaaaaaaaaa' });
    p.update({ status: 'Pulling fs layer', id: 'bbbbbbbbbbbb' });
    p.update({ status: 'Already exists', id: 'cccccccccccc' });
    let s = p.update({ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 50, total: 100 } });
    expect(s).toMatchObject({ layers: 3, layersDone: 1, bytesDone: 50, bytesTotal: 100 });
    // (0.8*0.5 + 0 + 1) / 3
    expect(s.percent).toBe(46);
    s = p.update({ status: 'Downloading', id: 'bbbbbbbbbbbb', progressDetail: { current: 300, total: 300 } });
    expect(s).toMatchObject({ bytesDone: 350, bytesTotal: 400 });
    p.update({ status: 'Download complete', id: 'aaaaaaaaaaaa' });
    s = p.update({ status: 'Extracting', id: 'aaaaaaaaaaaa', progressDetail: { current: 50, total: 100 } });
    // a: 0.8 + 0.1, b: 0.8, c: 1
    expect(s.percent).toBe(90);
    p.update({ status: 'Pull complete', id: 'aaaaaaaaaaaa' });
    s = p.update({ status: 'Pull complete', id: 'bbbbbbbbbbbb' });
    expect(s).toEqual({ percent: 100, bytesDone: 400, bytesTotal: 400, layers: 3, layersDone: 3 });
    // digest / status lines change nothing
    expect(p.update({ status: 'Digest: sha256:abc' })).toEqual(s);
  });
  it('never goes backwards on a repeated smaller progress report', () => {
    const p = new PullProgress();
    p.update({ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 80, total: 100 } });
    expect(p.update({ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 10, total: 100 } }).bytesDone).toBe(80);
  });
});

function frame(kind: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = kind;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

describe('LogDemuxer', () => {
  it('splits multiplexed frames into stdout/stderr lines and parses timestamps', () => {
    const lines: DemuxedLine[] = [];
    const d = new LogDemuxer((l) => lines.push(l));
    const all = Buffer.concat([
      frame(1, '2026-01-02T03:04:05.123456789Z hello\n2026-01-02T03:04:06Z wor'),
      frame(2, '2026-01-02T03:04:07.5Z oops\n'),
      frame(1, 'ld\n'),
    ]);
    // fed in awkward pieces: a frame header split across chunks
    for (let i = 0; i < all.length; i += 5) d.push(all.subarray(i, i + 5));
    d.end();
    expect(lines).toEqual([
      { stream: 'stdout', time: '2026-01-02T03:04:05.123Z', line: 'hello' },
      { stream: 'stderr', time: '2026-01-02T03:04:07.500Z', line: 'oops' },
      { stream: 'stdout', time: '2026-01-02T03:04:06.000Z', line: 'world' },
    ]);
  });
  it('treats a TTY stream as plain stdout and flushes a last partial line', () => {
    const lines: DemuxedLine[] = [];
    const d = new LogDemuxer((l) => lines.push(l), true);
    d.push(Buffer.from('a\r\nb'));
    d.end();
    expect(lines).toEqual([
      { stream: 'stdout', line: 'a' },
      { stream: 'stdout', line: 'b' },
    ]);
  });
});

describe('docker provider helpers', () => {
  it('withTag adds :latest only when there is no tag or digest', () => {
    expect(withTag('redis')).toBe('redis:latest');
    expect(withTag('redis:7')).toBe('redis:7');
    expect(withTag('localhost:5000/x')).toBe('localhost:5000/x:latest');
    expect(withTag('x@sha256:abc')).toBe('x@sha256:abc');
  });
  it('statusFromInspect maps state, health, ports and uptime', () => {
    const startedAt = new Date(Date.now() - 42_000).toISOString();
    const info = {
      Id: '0123456789abcdef0123',
      State: { Status: 'running', Running: true, Restarting: false, Pid: 77, StartedAt: startedAt, ExitCode: 0, Health: { Status: 'healthy' } },
      Config: { Image: 'apache/kafka:3.9.1' },
      NetworkSettings: { Ports: { '9092/tcp': [{ HostIp: '127.0.0.1', HostPort: '9092' }] } },
    } as unknown as Docker.ContainerInspectInfo;
    const s = statusFromInspect('kafka', info);
    expect(s).toMatchObject({ name: 'kafka', state: 'running', health: 'healthy', endpoint: '127.0.0.1:9092', containerId: '0123456789ab', pid: 77, version: '3.9.1' });
    expect(s.uptimeSeconds).toBeGreaterThanOrEqual(41);
    const starting = { ...info, State: { ...info.State, Health: { Status: 'starting' } } } as unknown as Docker.ContainerInspectInfo;
    expect(statusFromInspect('kafka', starting).state).toBe('starting');
    const exited = { ...info, State: { Status: 'exited', Running: false, Restarting: false, ExitCode: 137, StartedAt: startedAt } } as unknown as Docker.ContainerInspectInfo;
    expect(statusFromInspect('kafka', exited)).toMatchObject({ state: 'stopped', detail: 'exited with code 137' });
    expect(statusFromInspect('kafka', exited).uptimeSeconds).toBeUndefined();
  });
});
