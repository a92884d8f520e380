import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuActions {
  startStack: () => void;
  stopStack: () => void;
  openDataFolder: () => void;
  openWebsite: () => void;
}

/** The application menu: the usual roles (so copy/paste and zoom work), plus a Stack menu. */
export function appMenuTemplate(platform: NodeJS.Platform, actions: AppMenuActions, devTools: boolean): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const menu: MenuItemConstructorOptions[] = [];
  if (mac) {
    menu.push({
      label: 'Heavy Rotation',
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  menu.push(
    { label: 'File', submenu: [{ label: 'Open Data Folder', click: actions.openDataFolder }, { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(devTools ? [{ role: 'toggleDevTools' } as const] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Stack',
      submenu: [
        { id: 'stack-start', label: 'Start Stack', click: actions.startStack },
        { id: 'stack-stop', label: 'Stop Stack', click: actions.stopStack },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'Heavy Rotation on GitHub', click: actions.openWebsite }] },
  );
  return menu;
}
