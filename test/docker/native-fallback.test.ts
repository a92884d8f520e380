/**
 * `npm start` (`topk start` → `topk serve`) with a real Docker engine that cannot pull the stack's
 * images: no registry is reachable from this machine, and the images named here exist nowhere,
 * so the engine's pull fails for real (nothing of Docker is faked).
 *
 * 1. The native provider cannot run (no Java on PATH): each image's error is printed once, the
 *    fix once, exit 1.
 * 2. It can: one line says the Docker engine cannot pull and that the native provider is used
 *    instead, the stack comes up natively on private ports, `ready` is printed, config.json
 *    remembers `stackProvider: native`, and the next `topk doctor` / start goes straight to it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerEngineAnswers } from '../../main/stack/docker-provider';
import { freePortPair, quietPorts } from '../helpers/free-port';
import { until } from '../helpers/until';

const ROOT = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'topk-fallback-'));
const uniq = `${process.pid}-${Date.now()}`;
const refs = ['kafka', 'cassandra', 'redis'].map((s) => `topk-test/never-built-${s}-${uniq}:1`);
const layer = join(work, 'absent-images.yml');
writeFileSync(layer, `services:\n  kafka:\n    image: ${refs[0]}\n  cassandra:\n    image: ${refs[1]}\n  redis:\n    image: ${refs[2]}\n`);

async function baseEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('TOPK_') || k.startsWith('VITEST') || k === 'NODE_OPTIONS') delete env[k];
  return {
    ...env,
    TOPK_DATA_DIR: dataDir,
    TOPK_COMPOSE_FILE: layer,
    TOPK_PORT: String(await quietPorts()),
    TOPK_API_PORT: String(await quietPorts()),
    TOPK_KAFKA_BROKERS: `127.0.0.1:${await freePortPair()}`,
    TOPK_CASSANDRA_CONTACT_POINTS: `127.0.0.1:${await freePortPair()}`,
    TOPK_REDIS_URL: `redis://127.0.0.1:${await freePortPair()}`,
    TOPK_KEYSPACE: 'topk_fallback',
    TOPK_SKIP_OS_DEPS: '1',
    ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
  };
}

interface Run {
  out: string;
  err: string;
  code: Promise<number>;
  kill: (sig: NodeJS.Signals) => void;
}

function topk(env: NodeJS.ProcessEnv, ...args: string[]): Run {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'topk.mjs'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = {
    out: '',
    err: '',
    code: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)))),
    kill: (sig) => child.kill(sig),
  };
  child.stdout.on('data', (d: Buffer) => (run.out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (run.err += d.toString()));
  return run;
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

// CI always has an engine (.ci/docker.sh starts dockerd)
const engine = await dockerEngineAnswers();
if (!engine && !process.env.CI) console.warn('[fallback test] no Docker engine answers: skipping (start dockerd to run it)');

describe.skipIf(!engine && !process.env.CI)('npm start with a Docker engine that cannot pull the images', () => {
  const dataDirs: string[] = [];
  afterAll(async () => {
    for (const dir of dataDirs) {
      const env = { ...(await baseEnv(dir)) };
      await topk(env, 'stack', 'down', '--provider', 'native').code;
    }
    rmSync(work, { recursive: true, force: true });
  }, 180_000);

  it('without a usable native provider: the error of each image once, the advice once, exit 1', async () => {
    const dataDir = join(work, 'no-java');
    dataDirs.push(dataDir);
    // a PATH holding node alone: no java, no redis-server, no mvn
    const bin = join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const env = { ...(await baseEnv(dataDir)), PATH: bin, JAVA_HOME: join(work, 'no-such-java') };
    const run = topk(env, 'start');
    const code = await run.code;
    const all = run.out + run.err;
    expect(code, all).toBe(1);
    const said = all.split('\n').filter((l) => !/^\[\w+\] pulling /.test(l)).join('\n');
    for (const ref of refs) expect(count(said, ref), all).toBe(1);
    expect(count(all, 'use the native provider (--provider native)'), all).toBe(1);
    expect(all).toMatch(/the native provider cannot run here either: .*Java 17\+: no java on PATH/);
    expect(count(all, 'the Docker engine does not have 3 images of the stack and cannot pull them'), all).toBe(1);
    expect(readFileSync(join(dataDir, 'api-token'), 'utf8')).not.toBe('');
    expect(() => readFileSync(join(dataDir, 'config.json'), 'utf8')).toThrow(/ENOENT/);
  }, 180_000);

  it('with Java and redis-server: one line, the native stack instead, remembered in config.json', async () => {
    const dataDir = join(work, 'native');
    dataDirs.push(dataDir);
    const env = await baseEnv(dataDir);
    const run = topk(env, 'start');
    await until('topk start to print ready', () => /^ready http/m.test(run.out) || run.err.includes('topk: '), 600_000, 500);
    const all = run.out + run.err;
    expect(run.err, all).not.toMatch(/^topk: /m);
    const lines = all.split('\n').filter((l) => l.includes('cannot pull'));
    expect(lines, all).toHaveLength(1);
    const said = all.split('\n').filter((l) => !/^\[\w+\] pulling /.test(l)).join('\n');
    for (const ref of refs) expect(count(said, ref), all).toBe(1);
    expect(lines[0]).toMatch(/^\[stack\] the Docker engine cannot pull .*: using the native provider instead .* remembered as "stackProvider": "native" in .*config\.json; the Stack page or --provider docker switches back$/);
    expect(JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'))).toEqual({ stackProvider: 'native' });
    expect(all).toMatch(/\[cassandra\] cassandra answers on 127\.0\.0\.1:\d+/);

    // the Stack page learns why: the provider, that it was saved, no error
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    const status = (await (await fetch(`http://127.0.0.1:${env.TOPK_PORT}/control/stack`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ provider: 'native', providerHow: 'saved', savedProvider: 'native', error: null, errorCode: null });

    run.kill('SIGTERM');
    expect(await run.code).toBe(0);

    // the next doctor goes straight to the remembered provider
    const doctor = topk(env, 'doctor');
    await doctor.code;
    expect(doctor.out).toMatch(/^provider: native would be chosen \(chosen earlier \("stackProvider": "native" in .*config\.json\)\)$/m);
  }, 900_000);
});
