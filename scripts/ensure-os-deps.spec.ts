import { describe, expect, it } from 'vitest';
import type { Machine, Tool } from './ensure-os-deps.mjs';
import { decide, systemFamily } from './ensure-os-deps.mjs';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

/** The machine kind of the issue: Java and Maven present; no redis-server, no Chromium, no Docker engine. */
function freshMachine(o: Partial<Machine> = {}): Machine {
  const present = new Set<Tool>(['java', 'mvn']);
  return { purpose: 'test', env: {}, platform: 'linux', osRelease: DEBIAN, isRoot: true, has: (t) => present.has(t), dockerEngine: false, ...o };
}

describe('OS package provisioning decision (packages absent, lookups injected)', () => {
  it('npm test as root on Debian: apt-get installs redis-server and chromium', () => {
    expect(decide(freshMachine())).toEqual({
      action: 'apt',
      missing: ['redis-server', 'chromium'],
      packages: ['redis-server', 'chromium'],
      command: 'apt-get update && apt-get install -y --no-install-recommends redis-server chromium',
    });
  });

  it('npm start without a Docker engine needs redis-server; with one, nothing', () => {
    expect(decide(freshMachine({ purpose: 'start' }))).toMatchObject({ action: 'apt', packages: ['redis-server'] });
    expect(decide(freshMachine({ purpose: 'start', dockerEngine: true }))).toEqual({ action: 'none', missing: [] });
  });

  it('not root on Ubuntu: prints the sudo command instead of installing', () => {
    expect(decide(freshMachine({ isRoot: false, osRelease: UBUNTU }))).toEqual({
      action: 'print',
      missing: ['redis-server', 'chromium'],
      packages: ['redis-server', 'chromium'],
      command: 'sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server chromium',
    });
  });

  it('other systems get their own exact command (never apt-get), macOS its brew lines; unknown systems no command', () => {
    expect(decide(freshMachine({ osRelease: FEDORA }))).toMatchObject({ action: 'print', command: 'dnf install -y redis chromium' });
    expect(decide(freshMachine({ platform: 'darwin', osRelease: undefined, isRoot: false }))).toMatchObject({ action: 'print', command: 'brew install redis && brew install --cask chromium' });
    expect(decide(freshMachine({ platform: 'win32', osRelease: undefined }))).toMatchObject({ action: 'print', command: undefined, missing: ['redis-server', 'chromium'] });
  });

  it('everything absent: the whole set, CI adding docker.io and debootstrap through the same code', () => {
    const none = freshMachine({ has: () => false });
    expect(decide(none).packages).toEqual(['openjdk-17-jre-headless', 'maven', 'redis-server', 'chromium']);
    expect(decide({ ...none, purpose: 'ci' }).packages).toEqual(['openjdk-17-jre-headless', 'maven', 'redis-server', 'chromium', 'docker.io', 'debootstrap', 'python3-venv']);
  });

  it('a test run on an external or docker stack needs only Chromium; nothing missing → nothing to do', () => {
    expect(decide(freshMachine({ env: { TOPK_TEST_STACK: 'external' } })).missing).toEqual(['chromium']);
    expect(decide(freshMachine({ env: { TOPK_TEST_PROVIDER: 'docker' } })).missing).toEqual(['chromium']);
    expect(decide(freshMachine({ has: () => true }))).toEqual({ action: 'none', missing: [] });
  });

  it('reads the system family from os-release (ID and ID_LIKE)', () => {
    expect([systemFamily('linux', DEBIAN), systemFamily('linux', UBUNTU), systemFamily('linux', 'ID=linuxmint\nID_LIKE="ubuntu debian"\n'), systemFamily('linux', FEDORA), systemFamily('linux', 'ID="rocky"\nID_LIKE="rhel centos fedora"\n'), systemFamily('linux', 'ID=alpine\n'), systemFamily('linux', 'ID=arch\n'), systemFamily('linux', 'ID=nixos\n')]).toEqual(['apt', 'apt', 'apt', 'dnf', 'dnf', 'apk', 'pacman', undefined]);
  });
});
