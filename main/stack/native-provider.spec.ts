import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test/helpers/until';
import { loadConfig } from '../../engine/shared/config';
import { CASSANDRA_VERSION, KAFKA_VERSION, NativeStackProvider, cassandraStoragePort, kafkaClusterId } from './native-provider';
import { nativeStackDir } from '../../engine/shared/app-paths';
import { stopPid } from './native-processes';
import { StackError } from './stack-error';

const dirs: string[] = [];
function configWith(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'topk-native-spec-'));
  dirs.push(dataDir);
  return loadConfig({ env: { TOPK_DATA_DIR: dataDir, ...env } });
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('NativeStackProvider', () => {
  it('takes every port from the config endpoints', () => {
    const p = new NativeStackProvider(
      configWith({ TOPK_KAFKA_BROKERS: '127.0.0.1:29092,127.0.0.1:29093', TOPK_CASSANDRA_CONTACT_POINTS: 'localhost:29042', TOPK_REDIS_URL: 'redis://127.0.0.1:26379' }),
    );
    const plan = p.plan();
    expect(plan.kafka).toMatchObject({ host: '127.0.0.1', port: 29092, extraPorts: [29093] });
    expect(plan.cassandra).toMatchObject({ host: 'localhost', port: 29042, extraPorts: [29043] });
    expect(plan.redis).toMatchObject({ host: '127.0.0.1', port: 26379, extraPorts: [] });
    expect(p.endpoints().kafkaBrokers).toEqual(['127.0.0.1:29092', '127.0.0.1:29093']);
  });

  it('keeps data and cached jars under $TOPK_DATA_DIR/native', () => {
    const config = configWith({});
    const p = new NativeStackProvider(config);
    expect(p.root).toBe(join(config.dataDir, 'native'));
    expect(p.libDir('kafka')).toBe(join(config.dataDir, 'native', 'lib', `kafka-${KAFKA_VERSION}`));
    expect(p.libDir('cassandra')).toBe(join(config.dataDir, 'native', 'lib', `cassandra-${CASSANDRA_VERSION}`));
  });

  it('refuses a port held by another program, naming the port', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const p = new NativeStackProvider(configWith({ TOPK_REDIS_URL: `redis://127.0.0.1:${port}`, TOPK_KAFKA_BROKERS: '127.0.0.1:1', TOPK_CASSANDRA_CONTACT_POINTS: '127.0.0.1:3' }));
      const err = await p.up().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StackError);
      expect((err as StackError).code).toBe('PORT_IN_USE');
      expect((err as StackError).message).toContain(`port ${port} (redis)`);
    } finally {
      server.close();
    }
  });

  it('reports absent services for a fresh data dir without starting anything', async () => {
    const p = new NativeStackProvider(configWith({ TOPK_KAFKA_BROKERS: '127.0.0.1:1', TOPK_CASSANDRA_CONTACT_POINTS: '127.0.0.1:3', TOPK_REDIS_URL: 'redis://127.0.0.1:5' }));
    const s = await p.status();
    expect(s.provider).toBe('native');
    expect(s.services.map((x) => [x.name, x.state])).toEqual([
      ['kafka', 'absent'],
      ['cassandra', 'absent'],
      ['redis', 'absent'],
    ]);
  });
});

const procState = (pid: number): string => {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
  } catch {
    return 'gone';
  }
};
const hasPython = spawnSync('python3', ['-c', 'import ctypes'], { stdio: 'ignore' }).status === 0;

describe('stopping a service (pid files, exits)', () => {
  it('a process that exited but is not reaped yet (zombie) is not a running service', async () => {
    const p = new NativeStackProvider(configWith({}));
    mkdirSync(join(p.root, 'run'), { recursive: true });
    // `sleep 0.1` becomes the child of `sleep 30`, which never reaps it
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((r) => parent.stdout.once('data', (d: Buffer) => r(d.toString()))));
      await until('a zombie', () => procState(pid) === 'Z', 5000, 20);
      writeFileSync(join(p.root, 'run', 'cassandra.pid'), `${pid}\n`);
      expect(p.ownPid('cassandra')).toBeUndefined();
      const t0 = Date.now();
      expect(await stopPid(pid, 5000)).toBe('stopped');
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  // A JVM stopped with SIGTERM: its main thread is a zombie while other threads still exit
  // (and still hold its ports). Treating that as stopped let `up()` "reuse" a dying Cassandra.
  it.skipIf(!hasPython)('waits while a zombie main thread still has live threads, and counts it as running until then', async () => {
    const p = new NativeStackProvider(configWith({}));
    const dir = p.plan().cassandra.dir;
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(p.root, 'run'), { recursive: true });
    const script = [
      'import ctypes, signal, threading, time',
      'signal.signal(signal.SIGTERM, signal.SIG_IGN)',
      'threading.Thread(target=time.sleep, args=(1.5,)).start()',
      'print("ready", flush=True)',
      'ctypes.CDLL(None).pthread_exit(None)',
    ].join('\n');
    const child = spawn('python3', ['-c', script], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = child.pid!;
    await new Promise((r) => child.stdout.once('data', r));
    await until('a zombie', () => procState(pid) === 'Z', 5000, 20);
    writeFileSync(join(p.root, 'run', 'cassandra.pid'), `${pid}\n`);
    expect(p.ownPid('cassandra')).toBe(pid);
    const t0 = Date.now();
    expect(await stopPid(pid, 10_000)).toBe('stopped');
    expect(Date.now() - t0).toBeGreaterThan(800);
    expect(p.ownPid('cassandra')).toBeUndefined();
  });
});

describe('native stack files', () => {
  const dir = nativeStackDir();
  it('pins the same versions as the provider', () => {
    expect(readFileSync(join(dir, 'kafka', 'pom.xml'), 'utf8')).toContain(`<kafka.version>${KAFKA_VERSION}</kafka.version>`);
    expect(readFileSync(join(dir, 'cassandra', 'pom.xml'), 'utf8')).toContain(`<cassandra.version>${CASSANDRA_VERSION}</cassandra.version>`);
  });

  it('caps the heaps', () => {
    expect(readFileSync(join(dir, 'kafka', 'jvm.options'), 'utf8')).toMatch(/^-Xmx512m$/m);
    expect(readFileSync(join(dir, 'cassandra', 'jvm.options'), 'utf8')).toMatch(/^-Xmx1G$/m);
  });
});

describe('helpers', () => {
  it('puts the Cassandra storage port at 7000 for the default CQL port, else next to it', () => {
    expect(cassandraStoragePort(9042)).toBe(7000);
    expect(cassandraStoragePort(29042)).toBe(29043);
  });

  it('makes Kafka cluster ids of 22 base64url characters', () => {
    for (let i = 0; i < 50; i++) expect(kafkaClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
