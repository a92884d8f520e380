import type { Event, HandlerDetails, Session, WebContents, WindowOpenHandlerResponse } from 'electron';

/** Actions the shell's own pages trigger with links like `topk-shell://retry`. */
export const SHELL_ACTION_SCHEME = 'topk-shell:';
export type ShellAction = 'retry' | 'native' | 'open-app';

/**
 * The Content-Security-Policy of every page the control server sends to the
 * window: scripts, styles and connections only from the app's own origin,
 * GitHub avatars as the one remote image source.
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data: https://avatars.githubusercontent.com",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The shell's own static pages (Docker help) run no script at all. */
export function shellPagePolicy(): string {
  return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** True when `url` belongs to the app's origin (scheme, host and port equal). */
export function isAppUrl(url: string, appOrigin: string): boolean {
  const u = parse(url);
  return u !== undefined && u.origin === new URL(appOrigin).origin;
}

/** Only web links leave the app, and only to the system browser. */
export function isSafeExternalUrl(url: string): boolean {
  const u = parse(url);
  return u !== undefined && (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
}

export function shellActionOf(url: string): ShellAction | undefined {
  const u = parse(url);
  if (!u || u.protocol !== SHELL_ACTION_SCHEME) return undefined;
  const name = (u.hostname || u.pathname.replace(/^\/+/, '')).toLowerCase();
  return name === 'retry' || name === 'native' || name === 'open-app' ? name : undefined;
}

export interface NavigationPolicy {
  /** the origin of the control server, e.g. http://127.0.0.1:7800 */
  appOrigin: string;
  openExternal: (url: string) => void;
  onShellAction: (action: ShellAction) => void;
}

/**
 * What happens to a navigation the page starts: the app's own origin goes
 * ahead; shell actions and web links are handled by the main process; the
 * rest is dropped.
 */
export function decideNavigation(url: string, policy: NavigationPolicy): 'allow' | 'deny' {
  if (isAppUrl(url, policy.appOrigin)) return 'allow';
  const action = shellActionOf(url);
  if (action) policy.onShellAction(action);
  else if (isSafeExternalUrl(url)) policy.openExternal(url);
  return 'deny';
}

/**
 * Navigation and new windows stay inside the app's origin. There is only
 * one window: `window.open`/`target=_blank` to the app is dropped, to the
 * web is opened in the system browser.
 */
export function guardNavigation(contents: WebContents, policy: NavigationPolicy): void {
  const onNavigate = (event: Event, url: string) => {
    if (decideNavigation(url, policy) === 'deny') event.preventDefault();
  };
  contents.on('will-navigate', onNavigate);
  contents.on('will-redirect', (event: Event, url: string) => {
    if (!isAppUrl(url, policy.appOrigin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event: Event) => event.preventDefault());
  contents.setWindowOpenHandler((details: HandlerDetails): WindowOpenHandlerResponse => {
    if (!isAppUrl(details.url, policy.appOrigin) && !shellActionOf(details.url) && isSafeExternalUrl(details.url)) {
      policy.openExternal(details.url);
    }
    return { action: 'deny' };
  });
}

/**
 * Session-wide rules: every permission (camera, notifications, geolocation,
 * …) is refused, and responses from the app's origin carry the CSP.
 */
export function hardenSession(session: Session, appOrigin: string): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  const origin = new URL(appOrigin).origin;
  session.webRequest.onHeadersReceived({ urls: [`${origin}/*`] }, (details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    }
    headers['Content-Security-Policy'] = [contentSecurityPolicy()];
    callback({ responseHeaders: headers });
  });
}
