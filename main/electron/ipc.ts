import { ipcMain, shell } from 'electron';
import type { IpcMainEvent, IpcMainInvokeEvent } from 'electron';
import { IPC_BOOT, IPC_OPEN_EXTERNAL } from './ipc-channels';
import type { BootInfo } from './ipc-channels';
import { isAppUrl, isSafeExternalUrl } from './security';

export interface IpcDeps {
  /** current control server address and token (read on every request: it may move) */
  boot: () => BootInfo | undefined;
  openExternal?: (url: string) => Promise<void>;
}

function senderUrl(event: IpcMainEvent | IpcMainInvokeEvent): string {
  return event.senderFrame?.url ?? '';
}

/**
 * The main-process side of the preload. Both channels answer only frames of
 * the app's own origin, so a page that somehow got elsewhere learns nothing.
 * Returns a function that removes the handlers.
 */
export function registerIpc(deps: IpcDeps): () => void {
  const openExternal = deps.openExternal ?? ((url: string) => shell.openExternal(url));
  const onBoot = (event: IpcMainEvent) => {
    const boot = deps.boot();
    event.returnValue = boot && isAppUrl(senderUrl(event), boot.baseUrl) ? boot : null;
  };
  ipcMain.on(IPC_BOOT, onBoot);
  ipcMain.handle(IPC_OPEN_EXTERNAL, async (event: IpcMainInvokeEvent, url: unknown): Promise<boolean> => {
    const boot = deps.boot();
    if (!boot || !isAppUrl(senderUrl(event), boot.baseUrl)) return false;
    if (typeof url !== 'string' || !isSafeExternalUrl(url)) return false;
    await openExternal(url);
    return true;
  });
  return () => {
    ipcMain.removeListener(IPC_BOOT, onBoot);
    ipcMain.removeHandler(IPC_OPEN_EXTERNAL);
  };
}
