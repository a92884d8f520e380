import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../../test/fakes/fake-electron'));

const { FakeWebContents, resetFakeElectron, session } = await import('../../test/fakes/fake-electron');
const { contentSecurityPolicy, decideNavigation, guardNavigation, hardenSession, isAppUrl, isSafeExternalUrl, shellActionOf } = await import('./security');
import type { WebContents, Session } from 'electron';

const ORIGIN = 'http://127.0.0.1:7800';

function setup() {
  const contents = new FakeWebContents();
  const opened: string[] = [];
  const actions: string[] = [];
  guardNavigation(contents as unknown as WebContents, {
    appOrigin: ORIGIN,
    openExternal: (u) => opened.push(u),
    onShellAction: (a) => actions.push(a),
  });
  return { contents, opened, actions };
}

describe('security', () => {
  beforeEach(() => resetFakeElectron());

  it('the CSP allows only the app origin, inline styles and GitHub avatars', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("img-src 'self' data: https://avatars.githubusercontent.com");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('recognises the app origin exactly (scheme, host, port)', () => {
    expect(isAppUrl('http://127.0.0.1:7800/users/a', ORIGIN)).toBe(true);
    expect(isAppUrl('http://127.0.0.1:7801/', ORIGIN)).toBe(false);
    expect(isAppUrl('https://127.0.0.1:7800/', ORIGIN)).toBe(false);
    expect(isAppUrl('http://localhost:7800/', ORIGIN)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:7800@evil.example/', ORIGIN)).toBe(false);
    expect(isAppUrl('not a url', ORIGIN)).toBe(false);
  });

  it('lets only http(s) links out', () => {
    expect(isSafeExternalUrl('https://github.com/x')).toBe(true);
    expect(isSafeExternalUrl('http://example.com')).toBe(true);
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', 'smb://host/share', 'ms-msdt:/id', 'vscode://x', '']) {
      expect(isSafeExternalUrl(bad), bad).toBe(false);
    }
  });

  it('parses shell actions', () => {
    expect(shellActionOf('topk-shell://retry')).toBe('retry');
    expect(shellActionOf('topk-shell://native')).toBe('native');
    expect(shellActionOf('topk-shell://open-app')).toBe('open-app');
    expect(shellActionOf('topk-shell://rm-rf')).toBeUndefined();
    expect(shellActionOf('https://retry')).toBeUndefined();
  });

  it('navigation inside the app goes ahead', () => {
    const { contents, opened } = setup();
    expect(contents.fire('will-navigate', `${ORIGIN}/settings`).defaultPrevented).toBe(false);
    expect(opened).toEqual([]);
  });

  it('navigation to the web is stopped and opened in the system browser', () => {
    const { contents, opened } = setup();
    expect(contents.fire('will-navigate', 'https://github.com/login').defaultPrevented).toBe(true);
    expect(opened).toEqual(['https://github.com/login']);
  });

  it('navigation to other schemes is stopped and not opened', () => {
    const { contents, opened } = setup();
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'http://127.0.0.1:9999/']) {
      expect(contents.fire('will-navigate', url).defaultPrevented, url).toBe(true);
    }
    expect(opened).toEqual(['http://127.0.0.1:9999/']);
  });

  it('shell action links run the action and do not navigate', () => {
    const { contents, actions, opened } = setup();
    expect(contents.fire('will-navigate', 'topk-shell://native').defaultPrevented).toBe(true);
    expect(actions).toEqual(['native']);
    expect(opened).toEqual([]);
  });

  it('redirects away from the app are stopped', () => {
    const { contents } = setup();
    expect(contents.fire('will-redirect', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(contents.fire('will-redirect', `${ORIGIN}/x`).defaultPrevented).toBe(false);
  });

  it('webviews are never attached', () => {
    const { contents } = setup();
    expect(contents.fire('will-attach-webview', {}, {}).defaultPrevented).toBe(true);
  });

  it('new windows are always denied; web links open in the browser', () => {
    const { contents, opened } = setup();
    const h = contents.windowOpenHandler!;
    expect(h({ url: 'https://listenbrainz.org/' })).toEqual({ action: 'deny' });
    expect(h({ url: `${ORIGIN}/popup` })).toEqual({ action: 'deny' });
    expect(h({ url: 'file:///etc/hosts' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://listenbrainz.org/']);
  });

  it('decideNavigation is the same policy as a pure function', () => {
    const policy = { appOrigin: ORIGIN, openExternal: vi.fn(), onShellAction: vi.fn() };
    expect(decideNavigation(`${ORIGIN}/`, policy)).toBe('allow');
    expect(decideNavigation('https://x.example/', policy)).toBe('deny');
    expect(policy.openExternal).toHaveBeenCalledWith('https://x.example/');
  });

  it('every permission request and check is refused', () => {
    hardenSession(session.defaultSession as unknown as Session, ORIGIN);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      session.defaultSession.permissionRequestHandler!({}, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
    expect(session.defaultSession.permissionCheckHandler!()).toBe(false);
  });

  it('responses from the app origin get the CSP, replacing any the server sent', () => {
    hardenSession(session.defaultSession as unknown as Session, `${ORIGIN}/`);
    expect(session.defaultSession.headersFilter).toEqual({ urls: [`${ORIGIN}/*`] });
    let out: Record<string, string[]> = {};
    session.defaultSession.headersListener!(
      { responseHeaders: { 'content-type': ['text/html'], 'content-security-policy': ["default-src *"] } },
      (r) => (out = r.responseHeaders),
    );
    expect(out['content-type']).toEqual(['text/html']);
    expect(out['content-security-policy']).toBeUndefined();
    expect(out['Content-Security-Policy']).toEqual([contentSecurityPolicy()]);
  });
});
