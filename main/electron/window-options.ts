import type { BrowserWindowConstructorOptions } from 'electron';
import { MIN_HEIGHT, MIN_WIDTH } from './window-state';
import type { WindowState } from './window-state';

export interface WindowOptionsInput {
  state: WindowState;
  preloadPath: string;
  iconPath?: string;
  devTools: boolean;
}

/**
 * The one window: an isolated, sandboxed renderer without Node, whose only
 * bridge is the preload's `window.topk`.
 */
export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    ...input.state.bounds,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    title: 'Heavy Rotation',
    show: false,
    backgroundColor: '#111318',
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: input.devTools,
    },
  };
}
