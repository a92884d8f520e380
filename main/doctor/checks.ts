/**
 * The prerequisite checks behind `topk doctor` and `GET /control/doctor`: one function per
 * thing a provider needs (Docker engine, Java, redis-server, Maven, ports, disk).
 */
import { existsSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../engine/shared/config';
import type { NativeStackProvider } from '../stack/native-provider';
import { findJava, javaMajorVersion, MIN_JAVA, run as runProgram, which } from '../stack/prereqs';
import { portOpen, probeCassandra, probeKafka, probeRedis, redisHostPort, splitHostPort } from '../stack/probes';
import { dockerEndpoint, loadDockerModule } from '../stack/stack-manager';
import type { ServiceName } from '../stack/types';

export interface Check {
  name: string;
  ok: boolean;
  /** a warning does not make the provider unusable */
  warn?: boolean;
  detail: string;
  fix?: string;
  /** a stack port held by a service that answers but is not this data dir's native stack */
  foreign?: boolean;
}

const MIN_FREE_BYTES = 3 * 1024 ** 3;

export async function dockerCheck(env: NodeJS.ProcessEnv): Promise<Check> {
  const where = dockerEndpoint(env);
  const mod = await loadDockerModule().catch(() => undefined);
  const answers = mod ? await mod.dockerEngineAnswers().catch(() => false) : false;
  if (answers) return { name: 'Docker engine', ok: true, detail: `answers at ${where}` };
  const cli = which('docker', env);
  return {
    name: 'Docker engine',
    ok: false,
    detail: mod ? `no engine answers at ${where}${cli ? '' : '; the docker CLI is not installed either'}` : 'the docker provider is not part of this build',
    fix: cli
      ? 'start the engine: `sudo systemctl start docker` (or `sudo dockerd >/var/log/dockerd.log 2>&1 &`), or set DOCKER_HOST'
      : 'sudo apt-get install -y docker.io && sudo systemctl start docker   (optional: without Docker the native provider is used)',
  };
}

export async function javaCheck(env: NodeJS.ProcessEnv): Promise<Check> {
  const java = findJava(env);
  const fix = 'sudo apt-get install -y openjdk-17-jre-headless';
  if (!java) return { name: `Java ${MIN_JAVA}+`, ok: false, detail: 'no java on PATH and JAVA_HOME is not set', fix };
  const v = await javaMajorVersion(java);
  if (!v) return { name: `Java ${MIN_JAVA}+`, ok: false, detail: `${java} -version printed no version`, fix };
  if (v.major < MIN_JAVA) return { name: `Java ${MIN_JAVA}+`, ok: false, detail: `${java} is Java ${v.version}`, fix: `${fix}   (or point JAVA_HOME at a Java ${MIN_JAVA}+)` };
  return { name: `Java ${MIN_JAVA}+`, ok: true, detail: `Java ${v.version} (${java})` };
}

export async function redisCheck(env: NodeJS.ProcessEnv): Promise<Check> {
  const bin = which('redis-server', env);
  if (!bin) return { name: 'redis-server', ok: false, detail: 'not on PATH', fix: 'sudo apt-get install -y redis-server && sudo systemctl disable --now redis-server   (topk starts its own)' };
  const r = await runProgram(bin, ['--version']);
  const v = /v=([\d.]+)/.exec(r.stdout)?.[1];
  return { name: 'redis-server', ok: true, detail: `${v ? `version ${v} ` : ''}(${bin})` };
}

export async function mavenCheck(env: NodeJS.ProcessEnv, jarsCached: boolean): Promise<Check> {
  const mvn = which('mvn', env);
  if (!mvn) {
    return jarsCached
      ? { name: 'Maven', ok: true, warn: true, detail: 'not installed, but the Kafka and Cassandra jars are already cached' }
      : { name: 'Maven', ok: false, detail: 'not on PATH; needed once to fetch the Kafka and Cassandra jars from Maven Central', fix: 'sudo apt-get install -y maven' };
  }
  const r = await runProgram(mvn, ['-v'], 30_000);
  const v = /Apache Maven ([\d.]+)/.exec(r.stdout)?.[1];
  return { name: 'Maven', ok: true, detail: `${v ? `Apache Maven ${v} ` : ''}(${mvn})${jarsCached ? '; jars already cached' : '; will fetch jars on the first `stack up`'}` };
}

interface PortInfo {
  label: string;
  host: string;
  port: number;
  service?: ServiceName;
}

export async function portChecks(config: Config, native: NativeStackProvider): Promise<Check[]> {
  const k = splitHostPort(config.kafkaBrokers[0] ?? '', 9092);
  const c = splitHostPort(config.cassandraContactPoints[0] ?? '', 9042);
  const r = redisHostPort(config.redisUrl);
  const ports: PortInfo[] = [
    { label: 'control server / UI', host: '127.0.0.1', port: config.port },
    { label: 'engine API', host: config.apiHost, port: config.apiPort },
    { label: 'Kafka', host: k.host, port: k.port, service: 'kafka' },
    { label: 'Cassandra CQL', host: c.host, port: c.port, service: 'cassandra' },
    { label: 'Redis', host: r.host, port: r.port, service: 'redis' },
  ];
  return Promise.all(
    ports.map(async (p): Promise<Check> => {
      const name = `port ${p.port} (${p.label})`;
      if (!(await portOpen(p.host, p.port, 700))) return { name, ok: true, detail: 'free' };
      if (!p.service) {
        return { name, ok: true, warn: true, detail: 'in use (a running topk serve, or another program)', fix: `ss -ltnp 'sport = :${p.port}'   # see who holds it; set TOPK_${p.label === 'engine API' ? 'API_PORT' : 'PORT'} to use another` };
      }
      const pid = native.ownPid(p.service);
      if (pid !== undefined) return { name, ok: true, detail: `in use by our native ${p.label} (pid ${pid})` };
      const probe =
        p.service === 'kafka' ? await probeKafka([`${p.host}:${p.port}`], 3000) : p.service === 'cassandra' ? await probeCassandra([`${p.host}:${p.port}`], config.cassandraLocalDc, 3000) : await probeRedis(config.redisUrl, 1500);
      if (probe.ok) {
        return {
          name,
          ok: true,
          warn: true,
          foreign: true,
          detail: `in use by a ${p.label}${probe.version ? ` ${probe.version}` : ''} that answers but was not started by this data dir's native stack (a docker stack, another data dir, or a system service)`,
          fix: `use it with \`--provider external\`, or stop it; ss -ltnp 'sport = :${p.port}' shows which program it is`,
        };
      }
      return { name, ok: false, detail: `in use by another program that does not answer as ${p.label}`, fix: `ss -ltnp 'sport = :${p.port}'   # then stop that program, or configure another port` };
    }),
  );
}

export function diskCheck(dataDir: string): Check {
  let dir = dataDir;
  while (!existsSync(dir) && dir !== '/') dir = join(dir, '..');
  try {
    const s = statfsSync(dir);
    const free = s.bavail * s.bsize;
    const gb = (free / 1024 ** 3).toFixed(1);
    if (free < MIN_FREE_BYTES) return { name: 'disk', ok: false, detail: `${gb} GiB free under ${dataDir}; the stack needs about 3 GiB`, fix: `free some space, or set TOPK_DATA_DIR to a roomier disk` };
    return { name: 'disk', ok: true, detail: `${gb} GiB free under ${dataDir}` };
  } catch (err) {
    return { name: 'disk', ok: false, warn: true, detail: `could not check ${dataDir}: ${(err as Error).message}` };
  }
}
