import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../../test/fakes/fake-electron'));

let fake = await import('../../test/fakes/fake-electron');

/** a fresh module registry per load, so the preload runs again */
async function loadPreload(reply: unknown) {
  vi.resetModules();
  // the instance the preload will get from the mocked `electron`
  fake = (await import('electron')) as unknown as typeof fake;
  fake.resetFakeElectron();
  fake.ipcRenderer.syncReply = reply;
  await import('./preload');
  return fake.contextBridge.exposed;
}

describe('preload', () => {
  beforeEach(() => fake.resetFakeElectron());

  it('exposes exactly { baseUrl, token, openExternal } as window.topk', async () => {
    const exposed = await loadPreload({ baseUrl: 'http://127.0.0.1:7800', token: 'tok' });
    expect([...exposed.keys()]).toEqual(['topk']);
    const api = exposed.get('topk') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['baseUrl', 'openExternal', 'token']);
    expect(api.baseUrl).toBe('http://127.0.0.1:7800');
    expect(api.token).toBe('tok');
    expect(Object.isFrozen(api)).toBe(true);
    expect(fake.ipcRenderer.sent).toEqual(['topk:boot']);
  });

  it('openExternal goes through one invoke channel with a string', async () => {
    const exposed = await loadPreload({ baseUrl: 'http://127.0.0.1:7800', token: 'tok' });
    const api = exposed.get('topk') as { openExternal: (u: unknown) => Promise<boolean> };
    await expect(api.openExternal('https://github.com')).resolves.toBe(true);
    await api.openExternal({ toString: () => 'https://x.example' });
    expect(fake.ipcRenderer.invoked).toEqual([
      { channel: 'topk:open-external', args: ['https://github.com'] },
      { channel: 'topk:open-external', args: ['https://x.example'] },
    ]);
  });

  it('exposes nothing when the main process refuses (page not of the app origin)', async () => {
    const exposed = await loadPreload(null);
    expect(exposed.size).toBe(0);
  });
});
