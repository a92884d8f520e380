import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ControlPlane, ControlPlaneStatus } from '../control/control-plane';
import { ControlPlaneAdapter, summarize } from './control-plane-adapter';

const svc = (state: 'running' | 'stopped') => ['kafka', 'cassandra', 'redis'].map((name) => ({ name, state })) as ControlPlaneStatus['services'];
const proc = (name: string, state: string) => ({ name, state }) as ControlPlaneStatus['processes'][number];
const status = (over: Partial<ControlPlaneStatus>): ControlPlaneStatus => ({ provider: 'docker', providerHow: 'auto', providerReason: null, savedProvider: null, errorCode: null, phase: 'running', error: null, endpoints: null, services: svc('running'), processes: [proc('api', 'running')], ...over });

describe('control plane adapter', () => {
  it('summarises the status for the tray', () => {
    expect(summarize(status({}))).toEqual({ state: 'running', provider: 'docker' });
    expect(summarize(status({ processes: [proc('api', 'running'), proc('aggregator', 'backoff')] }))).toEqual({ state: 'partial', provider: 'docker', detail: 'engine: aggregator backoff' });
    expect(summarize(status({ phase: 'starting', services: [] }))).toMatchObject({ state: 'starting' });
    expect(summarize(status({ phase: 'error', error: 'port 9092 in use' }))).toEqual({ state: 'error', provider: 'docker', detail: 'port 9092 in use' });
    expect(summarize(status({ phase: 'stopped', provider: null, services: svc('stopped') }))).toEqual({ state: 'stopped', provider: 'auto' });
    expect(summarize(status({ phase: 'idle', services: [] }))).toMatchObject({ state: 'stopped' });
  });

  it('maps up/down/close and hands a provider picked on the help page to the control plane (which saves it in config.json)', async () => {
    const calls: string[] = [];
    const cp = {
      url: 'http://127.0.0.1:7800',
      token: 't',
      status: () => Promise.resolve(status({})),
      up: (o: { provider?: string }) => (calls.push(`up:${o.provider ?? ''}`), Promise.resolve()),
      down: () => (calls.push('down'), Promise.resolve()),
      stop: (o: { stackDown?: boolean }) => (calls.push(`stop:${o.stackDown}`), Promise.resolve()),
    } as unknown as ControlPlane;
    const dir = mkdtempSync(join(tmpdir(), 'topk-adapter-'));
    const a = new ControlPlaneAdapter(cp, dir);
    expect(a.baseUrl).toBe('http://127.0.0.1:7800');
    await a.stackUp();
    await a.stackUp('native');
    await a.stackDown();
    await a.close({ stopStack: true });
    await a.close({ stopStack: false });
    expect(calls).toEqual(['up:', 'up:native', 'down', 'stop:true', 'stop:false']);
    expect(await a.stackSummary()).toEqual({ state: 'running', provider: 'docker' });
  });
});
