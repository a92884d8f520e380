/** IPC channel names shared by the preload and the main process (no electron import here). */
export const IPC_BOOT = 'topk:boot';
export const IPC_OPEN_EXTERNAL = 'topk:open-external';

/** What the preload learns at start: where the control server is and its bearer token. */
export interface BootInfo {
  baseUrl: string;
  token: string;
}
