import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../engine/shared/config';
import { StackManager, UnknownProviderError } from './stack-manager';
import type { StackProvider } from './types';

const config = loadConfig({ env: { TOPK_DATA_DIR: '/nonexistent/topk-spec' }, persistToken: false });

describe('StackManager', () => {
  it('chooses docker when an engine answers, else native, and says why', async () => {
    const withDocker = new StackManager(config, { env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' }, dockerAnswers: () => Promise.resolve(true) });
    expect(await withDocker.choose()).toEqual({ id: 'docker', reason: 'a Docker engine answers at DOCKER_HOST=tcp://127.0.0.1:2375', how: 'auto' });
    const without = new StackManager(config, { env: {}, dockerAnswers: () => Promise.resolve(false) });
    const c = await without.choose();
    expect(c.id).toBe('native');
    expect(c.reason).toContain('no Docker engine answers');
  });

  it('prefers a provider saved in config.json over the engine check, and remember() saves one keeping other settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'topk-manager-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ retentionDays: 3 }));
    const c = loadConfig({ env: { TOPK_DATA_DIR: dir }, persistToken: false });
    const m = new StackManager(c, { dockerAnswers: () => Promise.resolve(true) });
    expect((await m.choose()).how).toBe('auto');
    m.remember('native');
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ retentionDays: 3, stackProvider: 'native' });
    expect(await m.choose()).toMatchObject({ id: 'native', how: 'saved' });
    expect((await m.choose('docker')).how).toBe('requested');
    // a new process reads it back
    const again = new StackManager(loadConfig({ env: { TOPK_DATA_DIR: dir }, persistToken: false }), { dockerAnswers: () => Promise.resolve(true) });
    expect(await again.choose()).toMatchObject({ id: 'native', how: 'saved', reason: `the provider chosen earlier ("stackProvider": "native" in ${join(dir, 'config.json')})` });
    expect(() => loadConfig({ env: { TOPK_DATA_DIR: dir, TOPK_STACK_PROVIDER: 'podman' }, persistToken: false })).toThrow(/TOPK_STACK_PROVIDER: stackProvider must be one of docker, native, external, got "podman"/);
  });

  it('treats a failing engine check as no engine', async () => {
    const m = new StackManager(config, { dockerAnswers: () => Promise.reject(new Error('EACCES')) });
    expect((await m.choose()).id).toBe('native');
  });

  it('honours an explicit provider and refuses unknown ones', async () => {
    const m = new StackManager(config, { dockerAnswers: () => Promise.resolve(true) });
    expect((await m.choose('external')).id).toBe('external');
    await expect(m.choose('podman')).rejects.toBeInstanceOf(UnknownProviderError);
    await expect(m.provider('podman')).rejects.toThrow(/unknown provider "podman"/);
  });

  it('looks providers up by id, one instance each, and registering returns a disposable', async () => {
    const m = new StackManager(config);
    const native = await m.provider('native');
    expect(native.id).toBe('native');
    expect(await m.provider('native')).toBe(native);
    const fake = { id: 'external' } as StackProvider;
    const reg = m.register('external', () => fake);
    expect(await m.provider('external')).toBe(fake);
    await reg.dispose();
    await expect(m.provider('external')).rejects.toBeInstanceOf(UnknownProviderError);
  });
});
