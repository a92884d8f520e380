/**
 * `npx topk stack up --provider native && stack status && stack down` from a
 * fresh data dir, on ports of its own (39092/39042/36379), next to whatever
 * stack the other tests use. Proves: progress while jars are fetched and
 * services start, a second `up` reuses what runs, status from another
 * process, clean stop, and a restart that reuses the cached jars.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'topk-native-cli-'));
const env = {
  ...process.env,
  TOPK_DATA_DIR: dataDir,
  TOPK_KAFKA_BROKERS: '127.0.0.1:39092',
  TOPK_CASSANDRA_CONTACT_POINTS: '127.0.0.1:39042',
  TOPK_REDIS_URL: 'redis://127.0.0.1:36379',
};

function topk(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'topk.mjs'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

describe.skipIf(process.env.TOPK_TEST_SKIP_NATIVE_CLI === '1')('topk stack (native) from a fresh data dir', () => {
  afterAll(async () => {
    await topk('stack', 'down', '--provider', 'native');
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('comes up with progress, reports status, reuses a running stack, and goes down', async () => {
    const up = await topk('stack', 'up', '--provider', 'native');
    console.log(up.out.split('\n').filter((l) => !/: downloaded /.test(l)).join('\n'));
    expect(up.code, up.out).toBe(0);
    expect(up.out).toMatch(/\[kafka\] fetching kafka jars from Maven Central/);
    expect(up.out).toMatch(/\[cassandra\] cassandra answers on 127\.0\.0\.1:39042 \(version 5\.0\.\d+\)/);
    expect(up.out).toMatch(/\[kafka\] kafka answers on 127\.0\.0\.1:39092/);
    expect(up.out).toMatch(/\[redis\] redis answers on 127\.0\.0\.1:36379/);
    expect(existsSync(join(dataDir, 'native', 'lib', 'kafka-3.9.1', '.complete'))).toBe(true);

    const status = await topk('stack', 'status');
    expect(status.code, status.out).toBe(0);
    expect(status.out).toMatch(/^kafka\s+running\s+127\.0\.0\.1:39092/m);
    expect(status.out).toMatch(/^cassandra\s+running\s+127\.0\.0\.1:39042/m);
    expect(status.out).toMatch(/^redis\s+running\s+127\.0\.0\.1:36379/m);

    const again = await topk('stack', 'up', '--provider', 'native');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/kafka already running \(pid \d+\), reusing it/);
    expect(again.out).toMatch(/cassandra already running \(pid \d+\), reusing it/);

    const down = await topk('stack', 'down');
    expect(down.code, down.out).toBe(0);
    expect(down.out).toMatch(/cassandra stopped/);
    const after = await topk('stack', 'status', '--provider', 'native');
    expect(after.code).toBe(1);
    expect(after.out).toMatch(/^kafka\s+stopped/m);

    // a restart keeps the data and uses the cached jars
    const restart = await topk('stack', 'up', '--provider', 'native');
    expect(restart.code, restart.out).toBe(0);
    expect(restart.out).toMatch(/kafka jars cached in/);
    expect(restart.out).not.toMatch(/formatting Kafka storage/);
  }, 900_000);
});
