import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../../test/fakes/fake-electron'));

const fake = await import('../../test/fakes/fake-electron');
const { registerIpc } = await import('./ipc');

const BOOT = { baseUrl: 'http://127.0.0.1:7800', token: 'secret-token' };
const fromUrl = (url: string) => ({ senderFrame: { url }, returnValue: undefined as unknown });

describe('ipc', () => {
  beforeEach(() => fake.resetFakeElectron());

  it('gives boot info only to frames of the app origin', () => {
    registerIpc({ boot: () => BOOT });
    const ok = fromUrl('http://127.0.0.1:7800/');
    fake.ipcMain.emit('topk:boot', ok);
    expect(ok.returnValue).toEqual(BOOT);
    for (const url of ['data:text/html;base64,AAAA', 'https://evil.example/', 'http://127.0.0.1:7801/', '']) {
      const ev = fromUrl(url);
      fake.ipcMain.emit('topk:boot', ev);
      expect(ev.returnValue, url).toBeNull();
    }
  });

  it('opens only http(s) links, and only for app frames', async () => {
    const opened: string[] = [];
    registerIpc({ boot: () => BOOT, openExternal: (u) => (opened.push(u), Promise.resolve()) });
    const handler = fake.ipcMain.handlers.get('topk:open-external') as (e: unknown, u: unknown) => Promise<boolean>;
    const app = fromUrl('http://127.0.0.1:7800/');
    await expect(handler(app, 'https://github.com/login/device')).resolves.toBe(true);
    await expect(handler(app, 'file:///etc/passwd')).resolves.toBe(false);
    await expect(handler(app, 'javascript:alert(1)')).resolves.toBe(false);
    await expect(handler(app, 42)).resolves.toBe(false);
    await expect(handler(fromUrl('https://evil.example/'), 'https://github.com')).resolves.toBe(false);
    expect(opened).toEqual(['https://github.com/login/device']);
  });

  it('unregisters its handlers', () => {
    const dispose = registerIpc({ boot: () => BOOT });
    dispose();
    expect(fake.ipcMain.listenerCount('topk:boot')).toBe(0);
    expect(fake.ipcMain.handlers.size).toBe(0);
    registerIpc({ boot: () => BOOT }); // can register again
  });
});
