/**
 * The docker provider against a real Docker engine, real containers and real
 * Kafka/Cassandra/Redis inside them (images built locally by test-images.ts;
 * nothing of dockerode or the Engine API is mocked).
 *
 * test/docker/compose.test.yml plus a layer that renames the project to
 * `topk-provider-test` on host ports 19192/19142/16479, so neither the dev stack
 * (default ports) nor a docker test stack of test/global-setup.ts (`topk-test`,
 * 19092/19042/16379) is ever touched.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../engine/shared/config';
import { createCassandra } from '../../engine/shared/cassandra';
import { createKafka } from '../../engine/shared/kafka';
import { createLogger } from '../../engine/shared/logger';
import { createRedis } from '../../engine/shared/redis';
import { PROJECT_LABEL, SERVICE_LABEL } from '../../main/stack/compose-translate';
import { createDockerProvider, dockerEngineAnswers } from '../../main/stack/docker-provider';
import { StackError } from '../../main/stack/stack-error';
import type { ProgressEvent, ServiceLogLine, StackEndpoints } from '../../main/stack/types';
import { ensureTestImages } from './test-images';

const HERE = dirname(fileURLToPath(import.meta.url));
const OVERRIDE = join(HERE, 'compose.test.yml');
const docker = new Docker();
const log = createLogger('docker-provider-test', { level: 'warn' });
const work = mkdtempSync(join(tmpdir(), 'topk-docker-test-'));
const config = loadConfig({ env: { TOPK_DATA_DIR: work }, persistToken: false });
const PROJECT = 'topk-provider-test';
const LAYER = join(work, 'provider-test.yml');
writeFileSync(
  LAYER,
  `name: ${PROJECT}
services:
  kafka:
    environment: { KAFKA_ADVERTISED_LISTENERS: "HOST://127.0.0.1:19192,DOCKER://kafka:29092" }
    ports: !override ["127.0.0.1:19192:9092"]
  cassandra:
    ports: !override ["127.0.0.1:19142:9042"]
  redis:
    ports: !override ["127.0.0.1:16479:6379"]
`,
);
const provider = createDockerProvider(config, { composeFiles: [OVERRIDE, LAYER], healthTimeoutMs: 240_000 });
const uniq = `${process.pid}-${Date.now()}`;

async function ours(project = PROJECT) {
  const filters = JSON.stringify({ label: [`${PROJECT_LABEL}=${project}`] });
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return { containers, networks, volumes: volumes.Volumes ?? [] };
}

async function containerOf(service: string) {
  const list = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${PROJECT_LABEL}=${PROJECT}`, `${SERVICE_LABEL}=${service}`] }) });
  return list[0];
}

let foreignId = '';
let endpoints: StackEndpoints;

// CI always has an engine (.ci/docker.sh starts dockerd); elsewhere, no engine = skipped, said out loud
const engine = await dockerEngineAnswers();
if (!engine && !process.env.CI) console.warn('[docker test] no Docker engine answers: skipping the docker provider tests (start dockerd to run them)');

describe.skipIf(!engine && !process.env.CI)('docker provider on a real engine', () => {
  beforeAll(async () => {
    expect(engine, 'a Docker engine must answer (DOCKER_HOST or /var/run/docker.sock)').toBe(true);
    const t0 = Date.now();
    await ensureTestImages({ docker, log: (m) => console.log(`[test-images] ${m}`) });
    console.log(`[docker test] images ready in ${Math.round((Date.now() - t0) / 1000)}s`);
    await provider.down({ volumes: true });
    // a container that is not ours, on the same image, must survive every down
    const foreign = await docker.createContainer({
      name: `topk-foreign-${uniq}`,
      Image: 'topk-test/redis:current',
      Labels: { 'some.other.project': 'yes' },
      HostConfig: { NetworkMode: 'bridge' },
    });
    await foreign.start();
    foreignId = foreign.id;
  }, 1_200_000);

  afterAll(async () => {
    await provider.down({ volumes: true }).catch(() => {});
    if (foreignId) await docker.getContainer(foreignId).remove({ force: true }).catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('brings the stack up from nothing, with progress', async () => {
    expect((await ours()).containers).toHaveLength(0);
    const events: ProgressEvent[] = [];
    const t0 = Date.now();
    endpoints = await provider.up({ onProgress: (e) => events.push(e) });
    console.log(`[docker test] up from nothing in ${Math.round((Date.now() - t0) / 1000)}s`);
    expect(endpoints).toEqual({
      kafkaBrokers: ['127.0.0.1:19192'],
      cassandraContactPoints: ['127.0.0.1:19142'],
      cassandraLocalDc: 'datacenter1',
      redisUrl: 'redis://127.0.0.1:16479',
    });
    expect(provider.endpoints()).toEqual(endpoints);
    for (const s of ['kafka', 'cassandra', 'redis'] as const) {
      const phases = events.filter((e) => e.service === s).map((e) => e.phase);
      expect(phases).toEqual(expect.arrayContaining(['create', 'start', 'wait', 'ready']));
    }
    expect(events.some((e) => e.service === 'stack' && e.message.includes(`network ${PROJECT}_default`))).toBe(true);
    const state = await ours();
    expect(state.containers).toHaveLength(3);
    expect(state.networks.map((n) => n.Name)).toEqual([`${PROJECT}_default`]);
    expect(state.volumes.map((v) => v.Name).sort()).toEqual(['cassandra-data', 'kafka-data', 'redis-data'].map((v) => `${PROJECT}_${v}`));
    // published on loopback only, memory limited, labelled
    const kafka = await docker.getContainer((await containerOf('kafka'))!.Id).inspect();
    expect(kafka.HostConfig.PortBindings).toEqual({ '9092/tcp': [{ HostIp: '127.0.0.1', HostPort: '19192' }] });
    expect(kafka.HostConfig.Memory).toBe(1024 ** 3);
    expect(kafka.Config.Labels[PROJECT_LABEL]).toBe(PROJECT);
  }, 600_000);

  it('serves Kafka, Cassandra and Redis to the host through the published ports', async () => {
    const cfg = { ...config, ...endpoints };
    // Redis PING
    const redis = createRedis(cfg, log);
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      await redis.quit();
    }
    // CQL query
    const cass = createCassandra(cfg, log, { keyspace: false });
    try {
      const rs = await cass.execute('SELECT release_version FROM system.local');
      expect(String(rs.first().get('release_version'))).toMatch(/^5\.0\./);
    } finally {
      await cass.shutdown();
    }
    // Kafka produce + consume
    const kafka = createKafka(cfg, log, `docker-test-${uniq}`);
    const topic = `docker-test-${uniq}`;
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `docker-test-${uniq}` });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: 'hello from the host' }] });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got = await new Promise<string>((res, rej) => {
        const t = setTimeout(() => rej(new Error('no message within 60s')), 60_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            clearTimeout(t);
            res(String(message.value));
          },
        });
      });
      expect(got).toBe('hello from the host');
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    }
  }, 180_000);

  it('a second up reuses the running containers', async () => {
    const before = await Promise.all(['kafka', 'cassandra', 'redis'].map(containerOf));
    const events: ProgressEvent[] = [];
    const t0 = Date.now();
    await provider.up({ onProgress: (e) => events.push(e) });
    expect(Date.now() - t0).toBeLessThan(15_000);
    const after = await Promise.all(['kafka', 'cassandra', 'redis'].map(containerOf));
    expect(after.map((c) => c?.Id)).toEqual(before.map((c) => c?.Id));
    expect(events.filter((e) => e.message.endsWith('already running')).map((e) => e.service).sort()).toEqual(['cassandra', 'kafka', 'redis']);
    expect(events.some((e) => e.phase === 'create')).toBe(false);
  }, 60_000);

  it('starts a stopped container and recreates a changed one', async () => {
    const redisBefore = (await containerOf('redis'))!;
    await docker.getContainer(redisBefore.Id).stop({ t: 2 });
    await provider.up();
    const started = (await containerOf('redis'))!;
    expect(started.Id).toBe(redisBefore.Id);
    expect(started.State).toBe('running');

    const dir = mkdtempSync(join(work, 'changed-'));
    const changed = join(dir, 'changed.yml');
    writeFileSync(changed, 'services:\n  redis:\n    environment:\n      CHANGED: "yes"\n');
    const changedProvider = createDockerProvider(config, { composeFiles: [OVERRIDE, LAYER, changed], healthTimeoutMs: 120_000 });
    const events: ProgressEvent[] = [];
    await changedProvider.up({ onProgress: (e) => events.push(e) });
    const recreated = (await containerOf('redis'))!;
    expect(recreated.Id).not.toBe(redisBefore.Id);
    expect(events.some((e) => e.service === 'redis' && e.message.includes('recreating'))).toBe(true);
    // kafka and cassandra were left alone
    expect(events.filter((e) => e.message.endsWith('already running')).map((e) => e.service).sort()).toEqual(['cassandra', 'kafka']);
    const inspect = await docker.getContainer(recreated.Id).inspect();
    expect(inspect.Config.Env).toContain('CHANGED=yes');
  }, 120_000);

  it('reports status from inspect', async () => {
    const s = await provider.status();
    expect(s.provider).toBe('docker');
    expect(s.services.map((x) => x.name).sort()).toEqual(['cassandra', 'kafka', 'redis']);
    for (const svc of s.services) {
      expect(svc.state).toBe('running');
      expect(svc.health).toBe('healthy');
      expect(svc.containerId).toMatch(/^[0-9a-f]{12}$/);
      expect(svc.uptimeSeconds).toBeGreaterThanOrEqual(0);
      expect(svc.startedAt).toMatch(/^\d{4}-/);
    }
    expect(s.services.find((x) => x.name === 'kafka')?.endpoint).toBe('127.0.0.1:19192');
    expect(s.services.find((x) => x.name === 'redis')?.endpoint).toBe('127.0.0.1:16479');
  }, 30_000);

  it('streams logs with timestamps, stdout and stderr apart, and follows', async () => {
    const tail: ServiceLogLine[] = [];
    await provider.logs('kafka', (l) => tail.push(l), { tail: 20 });
    expect(tail.length).toBeGreaterThan(0);
    expect(tail.length).toBeLessThanOrEqual(20);
    expect(tail.every((l) => l.service === 'kafka' && !Number.isNaN(Date.parse(l.time)))).toBe(true);

    const lines: ServiceLogLine[] = [];
    const ac = new AbortController();
    const sub = await provider.logs('redis', (l) => lines.push(l), { follow: true, tail: 0, signal: ac.signal });
    const redis = (await containerOf('redis'))!;
    const exec = await docker.getContainer(redis.Id).exec({
      Cmd: ['sh', '-c', `echo out-${uniq} > /proc/1/fd/1; echo err-${uniq} > /proc/1/fd/2`],
      AttachStdout: false,
      AttachStderr: false,
    });
    await exec.start({ Detach: true });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && lines.filter((l) => l.line.includes(uniq)).length < 2) await new Promise((r) => setTimeout(r, 200));
    const mine = lines.filter((l) => l.line.includes(uniq));
    expect(mine.find((l) => l.line === `out-${uniq}`)?.stream).toBe('stdout');
    expect(mine.find((l) => l.line === `err-${uniq}`)?.stream).toBe('stderr');
    expect(Date.parse(mine[0]!.time)).toBeGreaterThan(Date.now() - 60_000);
    ac.abort();
    await sub.dispose();
  }, 60_000);

  it('images that cannot be pulled fail once, each image named once with the reason, and no progress event repeats it', async () => {
    const dir = mkdtempSync(join(work, 'missing-'));
    const file = join(dir, 'missing.yml');
    const refs = ['kafka', 'cassandra', 'redis'].map((s) => `topk-test/not-built-${s}-${uniq}:1`);
    writeFileSync(
      file,
      `name: topk-test-missing\nservices: !override\n  kafka:\n    image: ${refs[0]}\n  cassandra:\n    image: ${refs[1]}\n  redis:\n    image: ${refs[2]}\nvolumes: !reset null\n`,
    );
    const missing = createDockerProvider(config, { composeFiles: [file], healthTimeoutMs: 30_000 });
    const events: ProgressEvent[] = [];
    try {
      const err = await missing.up({ onProgress: (e) => events.push(e) }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(StackError);
      expect((err as StackError).code).toBe('IMAGE_UNAVAILABLE');
      // each image once in the message (the engine's reason is the same for all three: said once)
      for (const ref of refs) expect(err!.message.split(ref).length - 1).toBe(1);
      expect(err!.message).toMatch(/^the Docker engine does not have 3 images of the stack and cannot pull them: /);
      expect(err!.message.match(/use the native provider/g)).toHaveLength(1);
      expect((err as StackError).fix).toBe(refs.map((r) => `docker pull ${r}`).join(' && '));
      for (const s of ['kafka', 'cassandra', 'redis']) expect(events.some((e) => e.service === s && e.phase === 'pull')).toBe(true);
      // the caller reports the thrown error; a progress event saying it too would print it twice
      expect(events.filter((e) => e.phase === 'error')).toEqual([]);
    } finally {
      await missing.down({ volumes: true });
    }
  }, 120_000);

  it('fails a health wait with a timeout error carrying the last log lines', async () => {
    const dir = mkdtempSync(join(work, 'unhealthy-'));
    const file = join(dir, 'unhealthy.yml');
    writeFileSync(
      file,
      [
        'name: topk-test-unhealthy',
        '# replaces the base file\'s services and volumes instead of merging into them',
        'services: !override',
        '  redis:',
        '    image: topk-test/redis:current',
        '    ports: ["127.0.0.1:16380:6379"]',
        '    healthcheck: { test: ["CMD", "false"], interval: 1s, retries: 1000 }',
        'volumes: !reset null',
        '',
      ].join('\n'),
    );
    const bad = createDockerProvider(config, { composeFiles: [file], healthTimeoutMs: 6_000 });
    try {
      const err = await bad.up().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/redis did not become healthy within 6s/);
      expect(err?.message).toMatch(/last health check \(exit 1\)/);
      expect(err?.message).toMatch(/Ready to accept connections/);
    } finally {
      await bad.down({ volumes: true });
    }
    expect((await ours('topk-test-unhealthy')).containers).toHaveLength(0);
  }, 120_000);

  it('down keeps volumes, down --volumes removes them, and a foreign container is untouched', async () => {
    await provider.down();
    let state = await ours();
    expect(state.containers).toHaveLength(0);
    expect(state.networks).toHaveLength(0);
    expect(state.volumes).toHaveLength(3);
    expect((await docker.getContainer(foreignId).inspect()).State.Running).toBe(true);
    expect((await provider.status()).services.every((s) => s.state === 'absent')).toBe(true);

    await provider.down({ volumes: true });
    state = await ours();
    expect(state.containers).toHaveLength(0);
    expect(state.networks).toHaveLength(0);
    expect(state.volumes).toHaveLength(0);
    expect((await docker.getContainer(foreignId).inspect()).State.Running).toBe(true);
  }, 120_000);
});
