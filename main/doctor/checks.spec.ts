import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diskCheck, javaCheck, mavenCheck, redisCheck } from './checks';

const empty = mkdtempSync(join(tmpdir(), 'doctor-'));
// an environment where no program can be found
const bare: NodeJS.ProcessEnv = { PATH: empty };
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('doctor checks', () => {
  it('report a missing program with the command that installs it', async () => {
    const java = await javaCheck(bare);
    expect(java).toMatchObject({ ok: false, detail: 'no java on PATH and JAVA_HOME is not set' });
    expect(java.fix).toContain('apt-get install -y openjdk-17-jre-headless');
    expect(await redisCheck(bare)).toMatchObject({ name: 'redis-server', ok: false, detail: 'not on PATH' });
  });

  it('Maven is only a warning once the jars are cached', async () => {
    expect(await mavenCheck(bare, true)).toMatchObject({ ok: true, warn: true });
    expect(await mavenCheck(bare, false)).toMatchObject({ ok: false, fix: 'sudo apt-get install -y maven' });
  });

  it('disk: measures the nearest existing folder of a data dir not created yet', () => {
    const c = diskCheck(join(empty, 'not', 'yet'));
    expect(c.name).toBe('disk');
    expect(c.detail).toMatch(/^\d+\.\d GiB free under /);
  });
});
