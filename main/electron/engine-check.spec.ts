import { describe, expect, it } from 'vitest';
import { checkContainerEngine } from './engine-check';
import type { EngineCheckDeps } from './engine-check';

const base = (over: Partial<EngineCheckDeps> = {}): EngineCheckDeps => ({
  platform: 'linux',
  pingDocker: () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock')),
  which: () => undefined,
  findJava: () => undefined,
  javaMajorVersion: () => Promise.resolve(undefined),
  minJava: 17,
  ...over,
});

describe('checkContainerEngine', () => {
  it('nothing to say when Docker answers', async () => {
    expect(await checkContainerEngine(base({ pingDocker: () => Promise.resolve() }))).toBeUndefined();
  });

  it('nothing to say when the user chose the native stack before', async () => {
    expect(await checkContainerEngine(base({ preferredProvider: 'native' }))).toBeUndefined();
  });

  it('reports why Docker is silent, whether the CLI is there, and a usable Java', async () => {
    const r = await checkContainerEngine(
      base({ which: (c) => (c === 'docker' ? '/usr/bin/docker' : undefined), findJava: () => '/usr/bin/java', javaMajorVersion: () => Promise.resolve({ major: 21, version: '21.0.5' }) }),
    );
    expect(r).toEqual({ platform: 'linux', dockerCli: true, detail: 'connect ENOENT /var/run/docker.sock', javaVersion: '21.0.5' });
  });

  it('an old Java is reported as too old, not offered', async () => {
    const r = await checkContainerEngine(base({ findJava: () => '/usr/bin/java', javaMajorVersion: () => Promise.resolve({ major: 11, version: '11.0.2' }) }));
    expect(r?.javaVersion).toBeUndefined();
    expect(r?.javaTooOld).toBe('11.0.2');
    expect(r?.dockerCli).toBe(false);
  });
});
