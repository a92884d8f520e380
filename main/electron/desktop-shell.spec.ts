import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineReport } from './docker-help';
import type { ShellControlPlane, ShellDeps, StackSummary } from './shell-ports';

vi.mock('electron', () => import('../../test/fakes/fake-electron'));

const fake = await import('../../test/fakes/fake-electron');
const { DesktopShell } = await import('./desktop-shell');

const BASE = 'http://127.0.0.1:7800';

function fakeControlPlane(over: Partial<ShellControlPlane> = {}) {
  const calls: string[] = [];
  let summary: StackSummary = { state: 'running', provider: 'docker' };
  const cp: ShellControlPlane & { calls: string[]; setSummary: (s: StackSummary) => void } = {
    baseUrl: BASE,
    token: 'tok',
    calls,
    setSummary: (s) => (summary = s),
    stackSummary: () => Promise.resolve(summary),
    stackUp: (p) => (calls.push(`up:${p ?? 'default'}`), Promise.resolve()),
    stackDown: () => (calls.push('down'), Promise.resolve()),
    close: (o) => (calls.push(`close:stopStack=${o.stopStack}`), Promise.resolve()),
    ...over,
  };
  return cp;
}

function deps(cp: ShellControlPlane, over: Partial<ShellDeps> = {}): ShellDeps & { dataDir: string } {
  return {
    startControlPlane: () => Promise.resolve(cp),
    checkEngine: () => Promise.resolve(undefined),
    settings: () => ({ stopStackOnQuit: false }),
    dataDir: mkdtempSync(join(tmpdir(), 'topk-shell-')),
    preloadPath: '/app/dist/main/electron/preload.cjs',
    trayIconPath: '/app/dist/main/electron/assets/tray.png',
    devTools: false,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    trayRefreshMs: 60_000,
    ...over,
  };
}

const window = () => {
  const w = fake.BrowserWindow.instances.at(-1);
  if (!w) throw new Error('no window');
  return w;
};

/** quit like the user does, and wait until the app really quits */
async function quit(): Promise<void> {
  const quitted = new Promise<void>((resolve) => fake.app.once('quit', () => resolve()));
  fake.app.quit();
  await quitted;
}

describe('DesktopShell', () => {
  beforeEach(() => fake.resetFakeElectron());

  it('a second instance hands over and starts nothing', async () => {
    fake.app.lock = false;
    const start = vi.fn();
    const shell = new DesktopShell(deps(fakeControlPlane(), { startControlPlane: start }));
    await expect(shell.start()).resolves.toBe(false);
    expect(start).not.toHaveBeenCalled();
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.BrowserWindow.instances).toHaveLength(0);
  });

  it('the second instance focuses the existing window', async () => {
    await new DesktopShell(deps(fakeControlPlane())).start();
    window().shown = false;
    fake.app.emit('second-instance');
    expect(window().shown).toBe(true);
    expect(fake.BrowserWindow.instances).toHaveLength(1);
  });

  it('opens one hardened window on the control server', async () => {
    const cp = fakeControlPlane();
    await new DesktopShell(deps(cp)).start();
    expect(fake.BrowserWindow.instances).toHaveLength(1);
    const w = window();
    expect(w.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: '/app/dist/main/electron/preload.cjs' });
    expect(w.loaded).toEqual([`${BASE}/`]);
    // the stack is brought up once, when the UI first shows
    await vi.waitFor(() => expect(cp.calls).toEqual(['up:default']));
    // guards and session rules are in place
    expect(w.webContents.fire('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(fake.shell.opened).toEqual(['https://evil.example/']);
    expect(w.webContents.windowOpenHandler!({ url: `${BASE}/x` })).toEqual({ action: 'deny' });
    const cb = vi.fn();
    fake.session.defaultSession.permissionRequestHandler!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
    expect(fake.session.defaultSession.headersFilter).toEqual({ urls: [`${BASE}/*`] });
    // the preload's boot channel answers the app's pages
    const ev = { senderFrame: { url: `${BASE}/` }, returnValue: undefined as unknown };
    fake.ipcMain.emit('topk:boot', ev);
    expect(ev.returnValue).toEqual({ baseUrl: BASE, token: 'tok' });
    expect(fake.Menu.application).toBeDefined();
  });

  it('when no engine answers it shows the Docker help page, and its actions work', async () => {
    const report: EngineReport = { platform: 'linux', dockerCli: false, javaVersion: '21.0.5', detail: 'connect ENOENT /var/run/docker.sock' };
    const checkEngine = vi.fn<() => Promise<EngineReport | undefined>>().mockResolvedValue(report);
    const cp = fakeControlPlane();
    await new DesktopShell(deps(cp, { checkEngine })).start();
    const w = window();
    expect(w.loaded).toHaveLength(1);
    const page = Buffer.from(w.loaded[0]!.split(',')[1]!, 'base64').toString('utf8');
    expect(cp.calls).toEqual([]); // nothing started behind the help page
    expect(w.loaded[0]).toMatch(/^data:text\/html/);
    expect(page).toContain('Docker is not installed');
    expect(page).toContain('topk-shell://native');

    // Try again, Docker now answers → the UI
    checkEngine.mockResolvedValue(undefined);
    expect(w.webContents.fire('will-navigate', 'topk-shell://retry').defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(w.loaded.at(-1)).toBe(`${BASE}/`));

    // Use the native stack → stack up with native, UI shows progress
    w.webContents.fire('will-navigate', 'topk-shell://native');
    await vi.waitFor(() => expect(cp.calls).toEqual(['up:default', 'up:native']));
    expect(w.loaded.at(-1)).toBe(`${BASE}/`);
  });

  it('a control plane that cannot start is reported and the app quits', async () => {
    const shell = new DesktopShell(deps(fakeControlPlane(), { startControlPlane: () => Promise.reject(new Error('port 7800 is in use')) }));
    await expect(shell.start()).resolves.toBe(false);
    expect(fake.dialog.errors[0]?.message).toBe('port 7800 is in use');
    expect(fake.app.quitCalls).toBe(1);
  });

  it('on quit the engine stops and the stack keeps running by default', async () => {
    const cp = fakeControlPlane();
    const d = deps(cp);
    await new DesktopShell(d).start();
    await quit();
    expect(cp.calls).toEqual(['up:default', 'close:stopStack=false']);
    expect(fake.Tray.instances[0]!.destroyed).toBe(true);
    // the window placement was saved
    expect(JSON.parse(readFileSync(join(d.dataDir, 'window-state.json'), 'utf8'))).toMatchObject({ bounds: { width: 1280, height: 820 }, maximized: false });
  });

  it('on quit the stack stops too when the user chose stopStackOnQuit (read at quit time)', async () => {
    const cp = fakeControlPlane();
    let stop = false;
    await new DesktopShell(deps(cp, { settings: () => ({ stopStackOnQuit: stop }) })).start();
    stop = true; // changed in settings while the app ran
    await quit();
    expect(cp.calls).toEqual(['up:default', 'close:stopStack=true']);
  });

  it('quit waits for the engine; repeated quit requests do not stop it twice', async () => {
    let finish!: () => void;
    const closing = new Promise<void>((r) => (finish = r));
    const close = vi.fn(() => closing);
    await new DesktopShell(deps(fakeControlPlane({ close }))).start();
    const quitted = vi.fn();
    fake.app.on('quit', quitted);
    fake.app.quit();
    fake.app.quit();
    await new Promise((r) => setTimeout(r, 20));
    expect(quitted).not.toHaveBeenCalled();
    expect(close).toHaveBeenCalledTimes(1);
    finish();
    await vi.waitFor(() => expect(quitted).toHaveBeenCalledTimes(1));
  });

  it('quit goes ahead when the engine hangs past the timeout or fails', async () => {
    await new DesktopShell(deps(fakeControlPlane({ close: () => new Promise(() => {}) }), { quitTimeoutMs: 50 })).start();
    await quit();
    fake.resetFakeElectron();
    await new DesktopShell(deps(fakeControlPlane({ close: () => Promise.reject(new Error('boom')) }))).start();
    await quit();
  });

  it('closing the last window quits except on macOS', async () => {
    await new DesktopShell(deps(fakeControlPlane())).start();
    fake.app.emit('window-all-closed');
    expect(fake.app.quitCalls).toBe(process.platform === 'darwin' ? 0 : 1);
  });

  it('the tray shows the stack state and its actions work', async () => {
    const cp = fakeControlPlane();
    const shell = new DesktopShell(deps(cp));
    await shell.start();
    const tray = fake.Tray.instances[0]!;
    await vi.waitFor(() => expect(tray.tooltip).toBe('Heavy Rotation — stack running (docker)'));
    let menu = tray.menu!;
    expect(menu.item('state')?.label).toBe('Stack: running (docker)');
    expect(menu.item('start')?.enabled).toBe(false);
    expect(menu.item('stop')?.enabled).toBe(true);
    menu.item('stop')!.click!();
    await vi.waitFor(() => expect(cp.calls).toContain('down'));

    cp.setSummary({ state: 'stopped', provider: 'docker' });
    await shell.refreshTray();
    menu = tray.menu!;
    expect(menu.item('start')?.enabled).toBe(true);
    menu.item('start')!.click!();
    await vi.waitFor(() => expect(cp.calls).toContain('up:default'));

    window().shown = false;
    menu.item('open')!.click!();
    expect(window().shown).toBe(true);

    const quitted = new Promise<void>((r) => fake.app.once('quit', () => r()));
    menu.item('quit')!.click!();
    await quitted;
    expect(cp.calls).toContain('close:stopStack=false');
  });

  it('a stack summary error shows as unknown, not a crash', async () => {
    const shell = new DesktopShell(deps(fakeControlPlane({ stackSummary: () => Promise.reject(new Error('docker gone')) })));
    await shell.start();
    await shell.refreshTray();
    expect(fake.Tray.instances[0]!.menu!.item('state')?.label).toMatch(/^Stack: unknown/);
  });
});
