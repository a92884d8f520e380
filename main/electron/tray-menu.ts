import type { MenuItemConstructorOptions } from 'electron';
import type { StackSummary } from './shell-ports';

export interface TrayActions {
  open: () => void;
  startStack: () => void;
  stopStack: () => void;
  quit: () => void;
}

const LABELS: Record<StackSummary['state'], string> = {
  running: 'running',
  starting: 'starting…',
  stopped: 'stopped',
  partial: 'partly running',
  error: 'error',
  unknown: 'unknown',
};

export function trayTooltip(s: StackSummary): string {
  return `Heavy Rotation — stack ${LABELS[s.state]} (${s.provider})`;
}

/** The tray's menu: the stack's state, then open, start/stop, quit. */
export function trayMenuTemplate(s: StackSummary, actions: TrayActions): MenuItemConstructorOptions[] {
  const busy = s.state === 'starting';
  return [
    { id: 'state', label: `Stack: ${LABELS[s.state]} (${s.provider})`, enabled: false },
    ...(s.detail ? [{ id: 'detail', label: s.detail.slice(0, 80), enabled: false }] : []),
    { type: 'separator' },
    { id: 'open', label: 'Open Heavy Rotation', click: actions.open },
    { id: 'start', label: 'Start stack', enabled: !busy && s.state !== 'running', click: actions.startStack },
    { id: 'stop', label: 'Stop stack', enabled: !busy && s.state !== 'stopped', click: actions.stopStack },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Heavy Rotation', click: actions.quit },
  ];
}
