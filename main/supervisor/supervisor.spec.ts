import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildProcessLauncher, engineEntry } from './child-process-launcher';
import { Supervisor } from './supervisor';
import type { ProcessInfo, ServiceSpec } from './supervisor';
import { until } from '../../test/helpers/until';
import { processAlive } from '../stack/probes';

const FAKE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'supervisor', 'fake-service.mjs');
const FAKE_TS = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'supervisor', 'fake-service.ts');
const baseEnv = { PATH: process.env.PATH ?? '' };

const sups: Supervisor[] = [];
function make(services: ServiceSpec[], opts: Partial<ConstructorParameters<typeof Supervisor>[0]> = {}): Supervisor {
  const s = new Supervisor({
    launcher: new ChildProcessLauncher(),
    services,
    env: baseEnv,
    initialBackoffMs: 50,
    maxBackoffMs: 400,
    stopTimeoutMs: 2000,
    ...opts,
  });
  sups.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(sups.splice(0).map((s) => s.stop()));
});

describe('Supervisor', () => {
  it('starts processes with the given env, reports them, collects their lines, stops them', async () => {
    const sup = make([
      { name: 'a', entry: FAKE, env: { FAKE_NAME: 'a', FAKE_ENV_PROBE: 'hello' } },
      { name: 'b', entry: FAKE, env: { FAKE_NAME: 'b', FAKE_MODE: 'ipc-ready' } },
    ]);
    const lines: [string, string, string][] = [];
    sup.on('line', (n, s, l) => lines.push([n, s, l]));
    sup.start();
    await sup.waitReady(10_000);
    const list = await sup.list();
    expect(list.map((p) => [p.name, p.state])).toEqual([
      ['a', 'running'],
      ['b', 'running'],
    ]);
    for (const p of list) {
      expect(p.pid).toBeGreaterThan(0);
      expect(processAlive(p.pid!)).toBe(true);
      expect(p.memoryRssBytes).toBeGreaterThan(1024 * 1024);
      expect(p.uptimeSeconds).toBeGreaterThanOrEqual(0);
      expect(p.restarts).toBe(0);
    }
    const started = lines.find(([n, s, l]) => n === 'a' && s === 'stdout' && l.includes('"starting"'));
    expect(JSON.parse(started![2]).env_seen).toBe('hello');
    // engineEnv() under the given env (engine-flags.ts): glibc's arenas capped for every engine process
    expect(JSON.parse(started![2]).malloc_arena_max).toBe('2');
    expect(lines.some(([n, s, l]) => n === 'b' && s === 'stderr' && l === 'a plain stderr line')).toBe(true);

    const pids = list.map((p) => p.pid!);
    await sup.stop();
    expect(pids.every((p) => !processAlive(p))).toBe(true);
    expect((await sup.list()).every((p) => p.state === 'stopped' && p.pid === null)).toBe(true);
    expect(lines.some(([n, , l]) => n === 'a' && l.includes('"stopping"'))).toBe(true);
  });

  it('restarts a SIGKILLed process with a new pid and counts the restart', async () => {
    const sup = make([{ name: 'agg', entry: FAKE }]);
    sup.start();
    await sup.waitReady();
    const first = sup.pid('agg')!;
    process.kill(first, 'SIGKILL');
    const info = await until('the restarted process', async () => {
      const i = await sup.get('agg');
      return i.state === 'running' && i.pid !== first ? i : undefined;
    }, 10_000, 25);
    expect(info.restarts).toBe(1);
    expect(info.lastSignal).toBe('SIGKILL');
    expect(info.lastError).toMatch(/SIGKILL/);
    expect(processAlive(first)).toBe(false);
  });

  it('backs off exponentially and gives up with a visible error after repeated crashes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sup-'));
    try {
      const counter = join(dir, 'starts');
      const sup = make([{ name: 'bad', entry: FAKE, env: { FAKE_MODE: 'crash', FAKE_CRASH_AFTER_MS: '10', FAKE_COUNTER_FILE: counter } }], {
        maxCrashes: 4,
        crashWindowMs: 60_000,
        initialBackoffMs: 100,
      });
      const states: (ProcessInfo & { at: number })[] = [];
      sup.on('state', (i) => states.push({ ...i, at: Date.now() }));
      sup.start();
      const failed = await until('the failed state', async () => {
        const i = await sup.get('bad');
        return i.state === 'failed' ? i : undefined;
      }, 20_000, 25);
      expect(failed.lastError).toMatch(/crashed 4 times/);
      expect(failed.lastExitCode).toBe(3);
      expect(failed.restarts).toBe(3);
      expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(4);
      // delays grow: 100, 200, 400 ms
      const delays = states.filter((x) => x.state === 'backoff').map((x) => Date.parse(x.nextRestartAt!) - x.at);
      expect(delays).toHaveLength(3);
      delays.forEach((d, i) => expect(Math.abs(d - 100 * 2 ** i)).toBeLessThan(30));
      // a manual restart clears the failed state
      await expect(sup.waitReady(100, ['bad'])).rejects.toThrow(/failed/);
      const again = await sup.restart('bad');
      expect(again.state).toBe('starting');
      expect(again.recentCrashes).toBe(0);
      await sup.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGKILLs a process that ignores SIGTERM after the stop timeout', async () => {
    const sup = make([{ name: 'stubborn', entry: FAKE, env: { FAKE_MODE: 'ignore-term' } }], { stopTimeoutMs: 300 });
    sup.start();
    await sup.waitReady();
    const pid = sup.pid('stubborn')!;
    const t0 = Date.now();
    await sup.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(processAlive(pid)).toBe(false);
    const info = await sup.get('stubborn');
    expect(info.state).toBe('stopped');
    expect(info.lastSignal).toBe('SIGKILL');
  });

  it('runs .ts entries through tsx and rejects unknown names', async () => {
    const sup = make([{ name: 'ts', entry: FAKE_TS }]);
    sup.start();
    await sup.waitReady(20_000);
    expect((await sup.get('ts')).state).toBe('running');
    await expect(sup.restart('nope')).rejects.toThrow(/no process named/);
  });

  it('reports a timeout when a process never becomes ready', async () => {
    const sup = make([{ name: 'slow', entry: FAKE, env: { FAKE_MODE: 'never-ready' } }]);
    sup.start();
    await expect(sup.waitReady(300)).rejects.toThrow(/not ready after 300 ms/);
    expect((await sup.get('slow')).state).toBe('starting');
  });

  it('children stop by themselves when the supervising process dies', async () => {
    const { spawn } = await import('node:child_process');
    const parent = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'supervisor', 'orphan-parent.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const childPid = await until('the child pid', () => Number(/child (\d+)/.exec(out)?.[1]) || undefined, 20_000, 25);
    expect(processAlive(childPid)).toBe(true);
    parent.kill('SIGKILL');
    await until('the orphaned child to exit', () => !processAlive(childPid) || undefined, 10_000, 25);
  });

  it('resolves engine entry points for dev and built layouts', () => {
    expect(engineEntry('aggregator', { root: '/r', mode: 'dev' })).toBe('/r/engine/aggregator/main.ts');
    expect(engineEntry('api', { root: '/r', mode: 'built' })).toBe('/r/dist/engine/api.js');
  });
});
