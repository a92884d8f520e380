import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_STATE, loadWindowState, MIN_WIDTH, saveWindowState, windowStateFile } from './window-state';
import { windowOptions } from './window-options';

const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
const dir = () => mkdtempSync(join(tmpdir(), 'topk-winstate-'));

describe('window state', () => {
  it('defaults when there is no file or it is garbage', () => {
    const d = dir();
    expect(loadWindowState(windowStateFile(d), screen)).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(windowStateFile(d), '{nope');
    expect(loadWindowState(windowStateFile(d), screen)).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('round-trips bounds and maximized in $TOPK_DATA_DIR/window-state.json', () => {
    const d = join(dir(), 'nested');
    const file = windowStateFile(d);
    expect(file).toBe(join(d, 'window-state.json'));
    saveWindowState(file, { bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true });
    expect(loadWindowState(file, screen)).toEqual({ bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true });
  });

  it('drops a position that is on no display any more, and clamps tiny sizes', () => {
    const file = windowStateFile(dir());
    saveWindowState(file, { bounds: { x: 5000, y: 3000, width: 10, height: 10 }, maximized: false });
    const s = loadWindowState(file, screen);
    expect(s.bounds.x).toBeUndefined();
    expect(s.bounds.width).toBe(MIN_WIDTH);
  });
});

describe('window options', () => {
  it('isolated, sandboxed, no node, preload set', () => {
    const o = windowOptions({ state: DEFAULT_WINDOW_STATE, preloadPath: '/app/dist/main/electron/preload.cjs', devTools: false });
    expect(o.webPreferences).toMatchObject({
      preload: '/app/dist/main/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
    expect(o.show).toBe(false);
    expect(o.width).toBe(DEFAULT_WINDOW_STATE.bounds.width);
  });
});
