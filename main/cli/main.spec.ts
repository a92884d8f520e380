import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMANDS, main } from './main';

describe('topk CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'topk-cli-spec-'));
  const saved = process.env.TOPK_DATA_DIR;
  beforeAll(() => {
    process.env.TOPK_DATA_DIR = dir;
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TOPK_DATA_DIR;
    else process.env.TOPK_DATA_DIR = saved;
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the foundation commands in its table', () => {
    expect(Object.keys(COMMANDS)).toEqual(expect.arrayContaining(['stack', 'migrate', 'doctor']));
  });

  it('exits 2 on no command or an unknown one, 0 on --help', async () => {
    expect(await main([])).toBe(2);
    expect(await main(['frobnicate'])).toBe(2);
    expect(await main(['--help'])).toBe(0);
  });

  it('exits 2 on unknown flags, actions and providers, with a message', async () => {
    expect(await main(['stack', 'up', '--bogus'])).toBe(2);
    expect(await main(['stack', 'sideways'])).toBe(2);
    expect(await main(['stack', 'up', '--provider', 'podman'])).toBe(2);
    expect(await main(['stack', 'up', '--volumes'])).toBe(2);
    expect(await main(['migrate', '--keyspace', 'no-dashes'])).toBe(2);
    expect(await main(['doctor', '--fast'])).toBe(2);
    expect(await main(['stack', 'up', '--nodes', '0'])).toBe(2);
    expect(await main(['stack', 'up', '--nodes', 'three'])).toBe(2);
    expect(await main(['stack', 'up', '--nodes', '3', '--provider', 'external'])).toBe(2);
    const messages = vi.mocked(console.error).mock.calls.map((c) => String(c[0]));
    expect(messages.some((m) => m.includes("Unknown option '--bogus'"))).toBe(true);
    expect(messages.some((m) => m.includes('unknown provider "podman"'))).toBe(true);
    expect(messages.some((m) => m.includes('--nodes must be a whole number from 1 to 9, got "three"'))).toBe(true);
    expect(messages.some((m) => m.includes('--nodes 3 runs a cluster on the native provider only'))).toBe(true);
  });
});
