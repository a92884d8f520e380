// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_KEY, resolveConnection } from './connection';

describe('resolveConnection', () => {
  beforeEach(() => {
    sessionStorage.clear();
    delete window.topk;
    history.replaceState(null, '', '/');
  });

  it('reads the token from the URL fragment once, keeps it in sessionStorage and strips it', () => {
    history.replaceState(null, '', '/#token=abc123');
    const c = resolveConnection();
    expect(c.token).toBe('abc123');
    expect(location.hash).toBe('');
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('abc123');
    expect(resolveConnection().token).toBe('abc123');
  });

  it('prefers the Electron preload bridge', () => {
    window.topk = { baseUrl: 'http://127.0.0.1:7801/', token: 'bridge' };
    const c = resolveConnection();
    expect(c).toMatchObject({ baseUrl: 'http://127.0.0.1:7801', token: 'bridge' });
  });
});
