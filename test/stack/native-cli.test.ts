/**
 * `npx topk stack up --provider native && stack status && stack down` from a
 * fresh data dir, on free ports picked at run time, next to whatever
 * stack the other tests use. Proves: progress while jars are fetched and
 * services start, a second `up` reuses what runs, status from another
 * process, clean stop, and a restart that reuses the cached jars.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortPair } from '../helpers/free-port';

const ROOT = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'topk-native-cli-'));

const [kafkaPort, cassandraPort, redisPort] = [await freePortPair(), await freePortPair(), await freePortPair()];
const env = {
  ...process.env,
  TOPK_DATA_DIR: dataDir,
  TOPK_KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
  TOPK_CASSANDRA_CONTACT_POINTS: `127.0.0.1:${cassandraPort}`,
  TOPK_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
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
    expect(up.out).toMatch(new RegExp(`\\[cassandra\\] cassandra answers on 127\\.0\\.0\\.1:${cassandraPort} \\(version 5\\.0\\.\\d+\\)`));
    expect(up.out).toContain(`[kafka] kafka answers on 127.0.0.1:${kafkaPort}`);
    expect(up.out).toContain(`[redis] redis answers on 127.0.0.1:${redisPort}`);
    expect(existsSync(join(dataDir, 'native', 'lib', 'kafka-3.9.1', '.complete'))).toBe(true);

    const status = await topk('stack', 'status');
    expect(status.code, status.out).toBe(0);
    expect(status.out).toMatch(new RegExp(`^kafka\\s+running\\s+127\\.0\\.0\\.1:${kafkaPort}`, 'm'));
    expect(status.out).toMatch(new RegExp(`^cassandra\\s+running\\s+127\\.0\\.0\\.1:${cassandraPort}`, 'm'));
    expect(status.out).toMatch(new RegExp(`^redis\\s+running\\s+127\\.0\\.0\\.1:${redisPort}`, 'm'));

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
