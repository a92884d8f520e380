/**
 * A small stand-in for the `electron` module, for specs that run without the
 * Electron binary: `vi.mock('electron', () => import('<relative path>/test/fakes/fake-electron'))`.
 * It records what the code under test asked Electron to do.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';

type Listener = (...args: never[]) => unknown;

/** Event whose preventDefault is observable. */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((d: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
  /** emits `event` with a FakeEvent and returns it */
  fire(event: string, ...args: unknown[]): FakeEvent {
    const e = new FakeEvent();
    this.emit(event, e, ...args);
    return e;
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  bounds = { x: 10, y: 20, width: 1280, height: 820 };
  maximized = false;
  destroyed = false;
  shown = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getBounds() {
    return { ...this.bounds };
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
}

class FakeApp extends EventEmitter {
  lock = true;
  quitCalls = 0;
  ready: Promise<void> = Promise.resolve();
  isPackaged = false;
  requestSingleInstanceLock(): boolean {
    return this.lock;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  /** like Electron: quit emits before-quit, and quits unless a listener prevented it */
  quit(): void {
    this.quitCalls += 1;
    const e = new FakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.emit('quit');
  }
  getPath(): string {
    return '/tmp';
  }
}
export const app = new FakeApp();

export const session = {
  defaultSession: {
    permissionRequestHandler: undefined as undefined | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    permissionCheckHandler: undefined as undefined | (() => boolean),
    headersFilter: undefined as undefined | { urls: string[] },
    headersListener: undefined as undefined | ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void),
    setPermissionRequestHandler(h: (wc: unknown, permission: string, cb: (ok: boolean) => void) => void) {
      this.permissionRequestHandler = h;
    },
    setPermissionCheckHandler(h: () => boolean) {
      this.permissionCheckHandler = h;
    },
    webRequest: {
      onHeadersReceived(filter: { urls: string[] }, listener: (details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) {
        session.defaultSession.headersFilter = filter;
        session.defaultSession.headersListener = listener;
      },
    },
  },
};

export const shell = {
  opened: [] as string[],
  openedPaths: [] as string[],
  openExternal(url: string): Promise<void> {
    shell.opened.push(url);
    return Promise.resolve();
  },
  openPath(p: string): Promise<string> {
    shell.openedPaths.push(p);
    return Promise.resolve('');
  },
};

export const dialog = {
  errors: [] as { title: string; message: string }[],
  showErrorBox(title: string, message: string) {
    dialog.errors.push({ title, message });
  },
};

export const screen = {
  getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
};

export const nativeImage = {
  createFromPath: (path: string) => ({ path, setTemplateImage: () => {} }),
};

export interface FakeMenuItem {
  id?: string;
  label?: string;
  role?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: FakeMenuItem[];
}

export class Menu {
  static application: Menu | undefined;
  constructor(readonly items: FakeMenuItem[]) {}
  static buildFromTemplate(t: FakeMenuItem[]): Menu {
    return new Menu(t);
  }
  static setApplicationMenu(m: Menu): void {
    Menu.application = m;
  }
  item(id: string): FakeMenuItem | undefined {
    return this.items.find((i) => i.id === id);
  }
}

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  tooltip = '';
  menu: Menu | undefined;
  destroyed = false;
  constructor(readonly image: unknown) {
    super();
    Tray.instances.push(this);
  }
  setToolTip(t: string): void {
    this.tooltip = t;
  }
  setContextMenu(m: Menu): void {
    this.menu = m;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

class FakeIpcMain extends EventEmitter {
  handlers = new Map<string, Listener>();
  handle(channel: string, h: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, h);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}
export const ipcMain = new FakeIpcMain();

export class FakeUtilityProcess extends EventEmitter {
  static forks: { modulePath: string; args: string[]; options: Record<string, unknown>; child: FakeUtilityProcess }[] = [];
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  pid: number | undefined = 4242;
  killed = 0;
  kill(): boolean {
    this.killed += 1;
    return true;
  }
  postMessage(): void {}
  /** end both pipes, then report the exit like Electron (exit may come first) */
  exit(code: number): void {
    this.emit('exit', code);
    this.stdout.end();
    this.stderr.end();
  }
}

export const utilityProcess = {
  /** replace to make fork throw, etc. */
  forkImpl: undefined as undefined | ((modulePath: string, args: string[], options: Record<string, unknown>) => FakeUtilityProcess),
  fork(modulePath: string, args: string[] = [], options: Record<string, unknown> = {}): FakeUtilityProcess {
    if (utilityProcess.forkImpl) return utilityProcess.forkImpl(modulePath, args, options);
    const child = new FakeUtilityProcess();
    FakeUtilityProcess.forks.push({ modulePath, args, options, child });
    return child;
  },
};

// renderer side (preload)
export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown) {
    contextBridge.exposed.set(key, api);
  },
};

export const ipcRenderer = {
  syncReply: null as unknown,
  sent: [] as string[],
  invoked: [] as { channel: string; args: unknown[] }[],
  sendSync(channel: string): unknown {
    ipcRenderer.sent.push(channel);
    return ipcRenderer.syncReply;
  },
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    ipcRenderer.invoked.push({ channel, args });
    return Promise.resolve(true);
  },
};

/** Forget everything recorded (call in beforeEach). */
export function resetFakeElectron(): void {
  BrowserWindow.instances = [];
  Tray.instances = [];
  Menu.application = undefined;
  FakeUtilityProcess.forks = [];
  utilityProcess.forkImpl = undefined;
  app.removeAllListeners();
  app.lock = true;
  app.quitCalls = 0;
  app.ready = Promise.resolve();
  ipcMain.removeAllListeners();
  ipcMain.handlers.clear();
  shell.opened = [];
  shell.openedPaths = [];
  dialog.errors = [];
  contextBridge.exposed.clear();
  ipcRenderer.syncReply = null;
  ipcRenderer.sent = [];
  ipcRenderer.invoked = [];
  session.defaultSession.permissionRequestHandler = undefined;
  session.defaultSession.permissionCheckHandler = undefined;
  session.defaultSession.headersListener = undefined;
  session.defaultSession.headersFilter = undefined;
}

export default { app, BrowserWindow, Menu, Tray, session, shell, dialog, screen, nativeImage, ipcMain, utilityProcess, contextBridge, ipcRenderer };
