/**
 * Where the UI finds the control server and its bearer token.
 *
 * Electron: the preload exposes `window.topk = { baseUrl, token, openExternal }`.
 * Browser (`topk serve`): the printed URL carries `#token=<token>`; it is read
 * once, kept in sessionStorage and removed from the address bar.
 */
export interface Connection {
  baseUrl: string;
  token: string;
  openExternal: (url: string) => void;
}

export interface TopkBridge {
  baseUrl: string;
  token: string;
  openExternal?: (url: string) => void | Promise<void>;
}

declare global {
  interface Window {
    topk?: TopkBridge;
  }
}

export const TOKEN_KEY = 'topk.token';

export function resolveConnection(win: Window = window): Connection {
  const bridge = win.topk;
  if (bridge?.token) {
    return {
      baseUrl: bridge.baseUrl.replace(/\/+$/, ''),
      token: bridge.token,
      openExternal: (url) => void bridge.openExternal?.(url),
    };
  }
  const fromHash = takeTokenFromHash(win);
  if (fromHash) win.sessionStorage.setItem(TOKEN_KEY, fromHash);
  const token = fromHash ?? win.sessionStorage.getItem(TOKEN_KEY) ?? '';
  return {
    baseUrl: win.location.origin,
    token,
    openExternal: (url) => {
      if (/^https?:\/\//i.test(url)) win.open(url, '_blank', 'noopener,noreferrer');
    },
  };
}

/** Reads `token=` from the fragment and strips it, keeping any route that follows. */
function takeTokenFromHash(win: Window): string | undefined {
  const hash = win.location.hash.replace(/^#/, '');
  if (!hash.includes('token=')) return undefined;
  const params = new URLSearchParams(hash.startsWith('/') ? (hash.split('?')[1] ?? '') : hash);
  const token = params.get('token') ?? undefined;
  params.delete('token');
  const rest = params.toString();
  const route = hash.startsWith('/') ? hash.split('?')[0] : '';
  const newHash = route ? `#${route}` : rest ? `#${rest}` : '';
  win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}${newHash}`);
  return token || undefined;
}
