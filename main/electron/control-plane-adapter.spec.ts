import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ControlPlane, ControlPlaneStatus } from '../control/control-plane';
import { ControlPlaneAdapter, desktopPrefsFile, loadDesktopPrefs, summarize } from './control-plane-adapter';

const svc = (state: 'running' | 'stopped') => ['kafka', 'cassandra', 'redis'].map((name) => ({ name, state })) as ControlPlaneStatus['services'];
const proc = (name: string, state: string) => ({ name, state }) as ControlPlaneStatus['processes'][number];
const status = (over: Partial<ControlPlaneStatus>): ControlPlaneStatus => ({ provider: 'docker', phase: 'running', error: null, endpoints: null, services: svc('running'), processes: [proc('api', 'running')], ...over });

describe('control plane adapter', () => {
  it('summarises the status for the tray', () => {
    expect(summarize(status({}))).toEqual({ state: 'running', provider: 'docker' });
    expect(summarize(status({ processes: [proc('api', 'running'), proc('aggregator', 'backoff')] }))).toEqual({ state: 'partial', provider: 'docker', detail: 'engine: aggregator backoff' });
    expect(summarize(status({ phase: 'starting', services: [] }))).toMatchObject({ state: 'starting' });
    expect(summarize(status({ phase: 'error', error: 'port 9092 in use' }))).toEqual({ state: 'error', provider: 'docker', detail: 'port 9092 in use' });
    expect(summarize(status({ phase: 'stopped', provider: null, services: svc('stopped') }))).toEqual({ state: 'stopped', provider: 'auto' });
    expect(summarize(status({ phase: 'idle', services: [] }))).toMatchObject({ state: 'stopped' });
  });

  it('maps up/down/close and remembers a provider picked on the help page', async () => {
    const calls: string[] = [];
    const cp = {
      url: 'http://127.0.0.1:7800',
      token: 't',
      status: () => Promise.resolve(status({})),
      up: () => (calls.push('up'), Promise.resolve()),
      down: () => (calls.push('down'), Promise.resolve()),
      stop: (o: { stackDown?: boolean }) => (calls.push(`stop:${o.stackDown}`), Promise.resolve()),
    } as unknown as ControlPlane;
    const dir = mkdtempSync(join(tmpdir(), 'topk-adapter-'));
    const a = new ControlPlaneAdapter(cp, dir);
    expect(a.baseUrl).toBe('http://127.0.0.1:7800');
    expect(loadDesktopPrefs(dir)).toEqual({});
    await a.stackUp();
    expect(loadDesktopPrefs(dir)).toEqual({});
    await a.stackUp('native');
    expect(JSON.parse(readFileSync(desktopPrefsFile(dir), 'utf8'))).toEqual({ provider: 'native' });
    await a.stackDown();
    await a.close({ stopStack: true });
    await a.close({ stopStack: false });
    expect(calls).toEqual(['up', 'up', 'down', 'stop:true', 'stop:false']);
    expect(await a.stackSummary()).toEqual({ state: 'running', provider: 'docker' });
  });
});
