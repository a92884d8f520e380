/**
 * The sandboxed preload: exposes exactly `window.topk = { baseUrl, token,
 * openExternal }` and nothing else (no ipcRenderer, no process.env).
 * Bundled to dist/main/electron/preload.cjs; it may require only `electron`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_BOOT, IPC_OPEN_EXTERNAL } from './ipc-channels';
import type { BootInfo } from './ipc-channels';

// The main process answers only pages of the app's own origin (null otherwise).
const boot = ipcRenderer.sendSync(IPC_BOOT) as BootInfo | null;

if (boot && typeof boot.baseUrl === 'string' && typeof boot.token === 'string') {
  const api = Object.freeze({
    baseUrl: boot.baseUrl,
    token: boot.token,
    /** opens an http(s) link in the system browser; resolves false when refused */
    openExternal: (url: string): Promise<boolean> => ipcRenderer.invoke(IPC_OPEN_EXTERNAL, String(url)) as Promise<boolean>,
  });
  contextBridge.exposeInMainWorld('topk', api);
}
