import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExitInfo, OutputStream } from '../supervisor/process-launcher';

vi.mock('electron', () => import('../../test/fakes/fake-electron'));

const fake = await import('../../test/fakes/fake-electron');
const { UtilityProcessLauncher } = await import('./utility-process-launcher');
const { Supervisor } = await import('../supervisor/supervisor');

function lastFork() {
  const f = fake.FakeUtilityProcess.forks.at(-1);
  if (!f) throw new Error('nothing forked');
  return f;
}

function collect(handle: { onLine: (cb: (s: OutputStream, l: string) => void) => void; onExit: (cb: (i: ExitInfo) => void) => void }) {
  const lines: [OutputStream, string][] = [];
  let exit: ExitInfo | undefined;
  handle.onLine((s, l) => lines.push([s, l]));
  const exited = new Promise<ExitInfo>((resolve) => handle.onExit((i) => resolve((exit = i))));
  return { lines, exited, exit: () => exit };
}

describe('UtilityProcessLauncher', () => {
  beforeEach(() => fake.resetFakeElectron());

  it('forks the entry with the given env over engineEnv(), piped output and a service name', () => {
    // engines start with engineV8Flags(name) and engineEnv() (supervisor/engine-flags.ts)
    const env = { TOPK_PORT: '7800', PATH: '/usr/bin', MALLOC_ARENA_MAX: '4' };
    new UtilityProcessLauncher({ cwd: '/app' }).spawn('aggregator', '/app/dist/engine/aggregator.js', env);
    const f = lastFork();
    expect(f.modulePath).toBe('/app/dist/engine/aggregator.js');
    expect(f.args).toEqual([]);
    expect(f.options).toMatchObject({ stdio: 'pipe', cwd: '/app', serviceName: 'Heavy Rotation aggregator', execArgv: ['--max-semi-space-size=4', '--max-old-space-size=96'] });
    expect(f.options.env).toEqual({ ...env, MALLOC_MMAP_THRESHOLD_: '131072' });
  });

  it('runs .ts entries through tsx (development)', () => {
    new UtilityProcessLauncher({ execArgv: ['--max-old-space-size=512'] }).spawn('api', '/repo/engine/api/main.ts', {});
    expect(lastFork().options.execArgv).toEqual(['--import', 'tsx', '--max-old-space-size=512']);
  });

  it('delivers whole lines from both pipes, then the exit, even when exit comes first', async () => {
    const h = new UtilityProcessLauncher().spawn('crawler', '/x.js', {});
    const { child } = lastFork();
    const c = collect(h);
    expect(h.pid).toBe(4242);
    child.stdout.write('{"msg":"sta');
    child.stdout.write('rting"}\n{"msg":"ready"}\n');
    child.stderr.write('warning: x\r\n');
    child.stdout.write('{"msg":"last words"}'); // no newline: flushed at exit
    child.emit('exit', 0); // before the pipes end
    await new Promise((r) => setTimeout(r, 20));
    expect(c.exit()).toBeUndefined(); // still draining
    child.stdout.end();
    child.stderr.end();
    const info = await c.exited;
    expect(info).toEqual({ code: 0, signal: null });
    expect(c.lines).toEqual([
      ['stdout', '{"msg":"starting"}'],
      ['stdout', '{"msg":"ready"}'],
      ['stderr', 'warning: x'],
      ['stdout', '{"msg":"last words"}'],
    ]);
  });

  it('SIGTERM uses utilityProcess.kill(); other signals go to the pid', async () => {
    const killPid = vi.fn();
    const launcher = new UtilityProcessLauncher({ killPid });
    const h = launcher.spawn('api', '/x.js', {});
    const { child } = lastFork();
    expect(h.kill()).toBe(true);
    expect(child.killed).toBe(1);
    if (process.platform !== 'win32') {
      expect(h.kill('SIGKILL')).toBe(true);
      expect(killPid).toHaveBeenCalledWith(4242, 'SIGKILL');
    }
    const c = collect(h);
    child.exit(137);
    expect(await c.exited).toEqual({ code: null, signal: process.platform === 'win32' ? 'SIGTERM' : 'SIGKILL' });
    expect(h.kill()).toBe(false); // already gone
  });

  it('a clean exit after SIGTERM reports code 0', async () => {
    const h = new UtilityProcessLauncher().spawn('api', '/x.js', {});
    const { child } = lastFork();
    const c = collect(h);
    h.kill('SIGTERM');
    child.exit(0);
    expect(await c.exited).toEqual({ code: 0, signal: null });
  });

  it('a fatal error is reported with the exit', async () => {
    const h = new UtilityProcessLauncher().spawn('api', '/x.js', {});
    const { child } = lastFork();
    const c = collect(h);
    child.emit('error', 'FatalError', 'v8::ToLocalChecked', 'report');
    child.exit(1);
    expect(await c.exited).toEqual({ code: 1, signal: null, error: 'FatalError at v8::ToLocalChecked' });
  });

  it('IPC messages are passed on', () => {
    const h = new UtilityProcessLauncher().spawn('api', '/x.js', {});
    const seen: unknown[] = [];
    h.onMessage((m) => seen.push(m));
    lastFork().child.emit('message', { type: 'ready' });
    expect(seen).toEqual([{ type: 'ready' }]);
  });

  it('a fork that throws becomes an exit with the error', async () => {
    fake.utilityProcess.forkImpl = () => {
      throw new Error('The "modulePath" argument must be a string');
    };
    const h = new UtilityProcessLauncher().spawn('api', '/missing.js', {});
    expect(h.pid).toBeUndefined();
    expect(h.kill()).toBe(false);
    const c = collect(h);
    expect(await c.exited).toEqual({ code: null, signal: null, error: 'The "modulePath" argument must be a string' });
  });

  it('drives the real Supervisor: ready line → running, crash → restart, stop → SIGTERM', async () => {
    const sup = new Supervisor({
      launcher: new UtilityProcessLauncher(),
      services: [{ name: 'aggregator', entry: '/app/dist/engine/aggregator.js' }],
      env: { TOPK_KEYSPACE: 'k' },
      initialBackoffMs: 10,
      stopTimeoutMs: 1000,
    });
    sup.start();
    const first = lastFork().child;
    first.stdout.write('{"level":30,"msg":"ready"}\n');
    await sup.waitReady(2000);
    expect((await sup.get('aggregator')).state).toBe('running');

    first.exit(1); // crash
    await vi.waitFor(() => expect(fake.FakeUtilityProcess.forks.length).toBe(2), { timeout: 3000 });
    const second = lastFork().child;
    second.stdout.write('{"msg":"ready"}\n');
    await sup.waitReady(2000);

    second.kill = () => {
      queueMicrotask(() => second.exit(0));
      return true;
    };
    await sup.stop();
    const info = await sup.get('aggregator');
    expect(info.state).toBe('stopped');
    expect(info.restarts).toBeGreaterThanOrEqual(1);
  });
});
