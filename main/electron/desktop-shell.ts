import { app, BrowserWindow, dialog, Menu, nativeImage, screen, session, shell, Tray } from 'electron';
import { appMenuTemplate } from './app-menu';
import { dataUrl, dockerHelpPage } from './docker-help';
import { registerIpc } from './ipc';
import { guardNavigation, hardenSession, isSafeExternalUrl } from './security';
import type { ShellAction } from './security';
import type { ShellControlPlane, ShellDeps, StackSummary } from './shell-ports';
import { trayMenuTemplate, trayTooltip } from './tray-menu';
import { windowOptions } from './window-options';
import { loadWindowState, saveWindowState, windowStateFile } from './window-state';
import type { WindowState } from './window-state';

export const PROJECT_URL = 'https://github.com/heavy-rotation/heavy-rotation';

type QuitState = 'running' | 'stopping' | 'done';

/**
 * The desktop app: one window on the control server it hosts, a tray, a
 * menu, and a clean quit. Electron objects come from the `electron` module
 * (mocked in specs); everything else comes in through `deps`.
 */
export class DesktopShell {
  private cp: ShellControlPlane | undefined;
  private window: BrowserWindow | undefined;
  private tray: Tray | undefined;
  private trayTimer: NodeJS.Timeout | undefined;
  private disposeIpc: (() => void) | undefined;
  private quitState: QuitState = 'running';
  private lastSummary: StackSummary = { state: 'unknown', provider: '…' };
  private windowState: WindowState | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private stackRequested = false;

  constructor(private readonly deps: ShellDeps) {}

  /** false when another instance already runs (this one then quits). */
  async start(): Promise<boolean> {
    if (!app.requestSingleInstanceLock()) {
      this.deps.log.info({}, 'another instance is running; handing over to it');
      app.quit();
      return false;
    }
    app.on('second-instance', () => this.showWindow());
    app.on('activate', () => this.showWindow());
    app.on('window-all-closed', () => {
      if (process.platform !== 'darwin') app.quit();
    });
    app.on('before-quit', (event) => this.onBeforeQuit(event));
    app.on('web-contents-created', (_event, contents) => {
      contents.on('will-attach-webview', (e) => e.preventDefault());
    });

    await app.whenReady();
    try {
      this.cp = await this.deps.startControlPlane();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.error({ err: message }, 'control plane failed to start');
      dialog.showErrorBox('Heavy Rotation could not start', message);
      this.quitState = 'done';
      app.quit();
      return false;
    }
    const cp = this.cp;
    hardenSession(session.defaultSession, cp.baseUrl);
    this.disposeIpc = registerIpc({ boot: () => ({ baseUrl: cp.baseUrl, token: cp.token }), openExternal: (u) => this.openExternal(u) });
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        appMenuTemplate(
          process.platform,
          {
            startStack: () => this.startStack(),
            stopStack: () => this.stopStack(),
            openDataFolder: () => void shell.openPath(this.deps.dataDir),
            openWebsite: () => void this.openExternal(PROJECT_URL),
          },
          this.deps.devTools,
        ),
      ),
    );
    this.createTray();
    this.createWindow();
    await this.showStartPage();
    return true;
  }

  get browserWindow(): BrowserWindow | undefined {
    return this.window;
  }

  /** The UI when the stack can run, else the Docker help page. */
  async showStartPage(): Promise<void> {
    const cp = this.requireCp();
    const win = this.window ?? this.createWindow();
    const report = await this.deps.checkEngine().catch((err: unknown) => {
      this.deps.log.warn({ err: String(err) }, 'engine check failed');
      return undefined;
    });
    if (report) {
      this.deps.log.info({ detail: report.detail, java: report.javaVersion }, 'no container engine answers; showing Docker help');
      await win.loadURL(dataUrl(dockerHelpPage(report)));
    } else {
      await win.loadURL(`${cp.baseUrl}/`);
      this.bringStackUpOnce();
    }
  }

  /** The first time the UI shows, the stack and engine start (the UI follows the progress). */
  private bringStackUpOnce(provider?: 'native'): void {
    if (this.stackRequested) return;
    this.stackRequested = true;
    const cp = this.requireCp();
    cp.stackUp(provider)
      .catch((err: unknown) => this.deps.log.error({ err: String(err) }, 'stack failed to start'))
      .finally(() => void this.refreshTray());
  }

  async handleShellAction(action: ShellAction): Promise<void> {
    const cp = this.requireCp();
    switch (action) {
      case 'retry':
        return this.showStartPage();
      case 'native':
        // the UI shows the progress stream while the native stack comes up
        this.stackRequested = false;
        this.bringStackUpOnce('native');
        await this.window?.loadURL(`${cp.baseUrl}/`);
        return;
      case 'open-app':
        await this.window?.loadURL(`${cp.baseUrl}/`);
        return;
    }
  }

  private requireCp(): ShellControlPlane {
    if (!this.cp) throw new Error('control plane not started');
    return this.cp;
  }

  private async openExternal(url: string): Promise<void> {
    if (!isSafeExternalUrl(url)) return;
    await shell.openExternal(url);
  }

  private createWindow(): BrowserWindow {
    const cp = this.requireCp();
    const stateFile = windowStateFile(this.deps.dataDir);
    this.windowState = loadWindowState(
      stateFile,
      screen.getAllDisplays().map((d) => d.workArea),
    );
    const win = new BrowserWindow(
      windowOptions({
        state: this.windowState,
        preloadPath: this.deps.preloadPath,
        devTools: this.deps.devTools,
        ...(this.deps.windowIconPath ? { iconPath: this.deps.windowIconPath } : {}),
      }),
    );
    guardNavigation(win.webContents, {
      appOrigin: cp.baseUrl,
      openExternal: (url) => void this.openExternal(url),
      onShellAction: (action) => void this.handleShellAction(action).catch((err: unknown) => this.deps.log.error({ err: String(err), action }, 'shell action failed')),
    });
    if (this.windowState.maximized) win.maximize();
    win.once('ready-to-show', () => win.show());
    const remember = () => this.scheduleSave(win);
    win.on('resize', remember);
    win.on('move', remember);
    win.on('maximize', remember);
    win.on('unmaximize', remember);
    win.on('close', () => this.saveNow(win));
    win.on('closed', () => {
      if (this.window === win) this.window = undefined;
    });
    this.window = win;
    return win;
  }

  private showWindow(): void {
    if (this.quitState !== 'running' || !this.cp) return;
    if (!this.window) {
      this.createWindow();
      void this.showStartPage();
      return;
    }
    if (this.window.isMinimized()) this.window.restore();
    this.window.show();
    this.window.focus();
  }

  private scheduleSave(win: BrowserWindow): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.saveNow(win), 500);
    this.saveTimer.unref?.();
  }

  private saveNow(win: BrowserWindow): void {
    clearTimeout(this.saveTimer);
    if (win.isDestroyed()) return;
    const maximized = win.isMaximized();
    // keep the normal bounds while maximized, so un-maximizing after restart restores them
    const bounds = maximized ? win.getNormalBounds() : win.getBounds();
    this.windowState = { bounds, maximized };
    try {
      saveWindowState(windowStateFile(this.deps.dataDir), this.windowState);
    } catch (err) {
      this.deps.log.warn({ err: String(err) }, 'could not save the window state');
    }
  }

  private createTray(): void {
    const image = nativeImage.createFromPath(this.deps.trayIconPath);
    if (process.platform === 'darwin') image.setTemplateImage(true);
    this.tray = new Tray(image);
    this.tray.on('click', () => this.showWindow());
    this.renderTray();
    const refresh = () => void this.refreshTray();
    refresh();
    this.trayTimer = setInterval(refresh, this.deps.trayRefreshMs ?? 5000);
    this.trayTimer.unref?.();
  }

  async refreshTray(): Promise<void> {
    if (!this.cp || !this.tray) return;
    try {
      this.lastSummary = await this.cp.stackSummary();
    } catch (err) {
      this.lastSummary = { state: 'unknown', provider: this.lastSummary.provider, detail: String(err) };
    }
    this.renderTray();
  }

  private renderTray(): void {
    if (!this.tray) return;
    this.tray.setToolTip(trayTooltip(this.lastSummary));
    this.tray.setContextMenu(
      Menu.buildFromTemplate(
        trayMenuTemplate(this.lastSummary, {
          open: () => this.showWindow(),
          startStack: () => this.startStack(),
          stopStack: () => this.stopStack(),
          quit: () => app.quit(),
        }),
      ),
    );
  }

  private startStack(): void {
    const cp = this.requireCp();
    this.lastSummary = { ...this.lastSummary, state: 'starting' };
    this.renderTray();
    cp.stackUp()
      .catch((err: unknown) => this.deps.log.error({ err: String(err) }, 'stack up failed'))
      .finally(() => void this.refreshTray());
  }

  private stopStack(): void {
    const cp = this.requireCp();
    cp.stackDown()
      .catch((err: unknown) => this.deps.log.error({ err: String(err) }, 'stack down failed'))
      .finally(() => void this.refreshTray());
  }

  /**
   * Quit waits for the engine to stop cleanly (and the stack, when the user
   * chose so); a second quit request while stopping is ignored.
   */
  private onBeforeQuit(event: { preventDefault: () => void }): void {
    if (this.quitState === 'done') return;
    event.preventDefault();
    if (this.quitState === 'stopping') return;
    this.quitState = 'stopping';
    void this.shutdown().finally(() => {
      this.quitState = 'done';
      app.quit();
    });
  }

  /** Stops everything this shell started. Never throws. */
  async shutdown(): Promise<void> {
    clearInterval(this.trayTimer);
    if (this.window && !this.window.isDestroyed()) this.saveNow(this.window);
    const stopStack = (() => {
      try {
        return this.deps.settings().stopStackOnQuit;
      } catch {
        return false;
      }
    })();
    const cp = this.cp;
    if (cp) {
      this.deps.log.info({ stopStack }, 'quitting: stopping the engine');
      const timeoutMs = this.deps.quitTimeoutMs ?? 90_000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      try {
        const r = await Promise.race([cp.close({ stopStack }).then(() => 'ok' as const), timeout]);
        if (r === 'timeout') this.deps.log.warn({ timeoutMs }, 'engine did not stop in time; quitting anyway');
      } catch (err) {
        this.deps.log.error({ err: String(err) }, 'engine stop failed');
      } finally {
        clearTimeout(timer);
      }
    }
    this.disposeIpc?.();
    this.tray?.destroy();
    this.tray = undefined;
  }
}
