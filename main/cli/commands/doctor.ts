import { existsSync, mkdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../engine/shared/config';
import type { Config } from '../../../engine/shared/config';
import { NativeStackProvider } from '../../stack/native-provider';
import { findJava, javaMajorVersion, MIN_JAVA, run as runProgram, which } from '../../stack/prereqs';
import { portOpen, probeCassandra, probeKafka, probeRedis, redisHostPort, splitHostPort } from '../../stack/probes';
import { dockerEndpoint, loadDockerModule } from '../../stack/stack-manager';
import type { ServiceName } from '../../stack/types';
import { parseStrict, runCommand } from '../cli-args';

export const DOCTOR_USAGE = 'usage: topk doctor';

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

async function dockerCheck(env: NodeJS.ProcessEnv): Promise<Check> {
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

async function javaCheck(env: NodeJS.ProcessEnv): Promise<Check> {
  const java = findJava(env);
  const fix = 'sudo apt-get install -y openjdk-17-jre-headless';
  if (!java) return { name: `Java ${MIN_JAVA}+`, ok: false, detail: 'no java on PATH and JAVA_HOME is not set', fix };
  const v = await javaMajorVersion(java);
  if (!v) return { name: `Java ${MIN_JAVA}+`, ok: false, detail: `${java} -version printed no version`, fix };
  if (v.major < MIN_JAVA) return { name: `Java ${MIN_JAVA}+`, ok: false, detail: `${java} is Java ${v.version}`, fix: `${fix}   (or point JAVA_HOME at a Java ${MIN_JAVA}+)` };
  return { name: `Java ${MIN_JAVA}+`, ok: true, detail: `Java ${v.version} (${java})` };
}

async function redisCheck(env: NodeJS.ProcessEnv): Promise<Check> {
  const bin = which('redis-server', env);
  if (!bin) return { name: 'redis-server', ok: false, detail: 'not on PATH', fix: 'sudo apt-get install -y redis-server && sudo systemctl disable --now redis-server   (topk starts its own)' };
  const r = await runProgram(bin, ['--version']);
  const v = /v=([\d.]+)/.exec(r.stdout)?.[1];
  return { name: 'redis-server', ok: true, detail: `${v ? `version ${v} ` : ''}(${bin})` };
}

async function mavenCheck(env: NodeJS.ProcessEnv, jarsCached: boolean): Promise<Check> {
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

async function portChecks(config: Config, native: NativeStackProvider): Promise<Check[]> {
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

function diskCheck(dataDir: string): Check {
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

export interface DoctorReport {
  checks: Check[];
  provider: { id: string; usable: boolean; why: string };
  nativeUsable: boolean;
  externalUsable: boolean;
  usable: boolean;
}

/** Every check, and which provider `topk stack up` would choose (also served by /control/doctor, in-process). */
export async function runChecks(env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  return (await collect(env)).report;
}

async function collect(env: NodeJS.ProcessEnv) {
  const config = loadConfig({ env, persistToken: false });
  mkdirSync(config.dataDir, { recursive: true });
  const native = new NativeStackProvider(config);
  const jarsCached = existsSync(join(native.libDir('kafka'), '.complete')) && existsSync(join(native.libDir('cassandra'), '.complete'));
  const [docker, java, redis, maven, ports] = await Promise.all([dockerCheck(env), javaCheck(env), redisCheck(env), mavenCheck(env, jarsCached), portChecks(config, native)]);
  const disk = diskCheck(config.dataDir);
  const checks = [docker, java, redis, maven, ...ports, disk];
  const blocked = ports.some((p) => !p.ok);
  const foreign = ports.filter((p) => p.foreign).length;
  const nativeUsable = java.ok && redis.ok && maven.ok && disk.ok && !blocked && foreign === 0;
  // ports held by answering services may be the docker stack itself, which `up` reuses
  const dockerUsable = docker.ok && disk.ok && !blocked;
  const externalUsable = foreign === 3;
  const provider = docker.ok
    ? { id: 'docker', usable: dockerUsable, why: `a Docker engine answers at ${dockerEndpoint(env)}` }
    : { id: 'native', usable: nativeUsable, why: 'no Docker engine answers, so Kafka and Cassandra run as Java processes and redis-server from the OS' };
  const report: DoctorReport = { checks, provider, nativeUsable, externalUsable, usable: provider.usable || externalUsable };
  return { report, java, redis, maven, foreign };
}

export async function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const { values, positionals } = parseStrict(args, { json: { type: 'boolean' } }, DOCTOR_USAGE);
    if (values.help) {
      console.log(DOCTOR_USAGE);
      return 0;
    }
    if (positionals.length) {
      console.error(`topk: unexpected argument "${positionals[0]}"\n${DOCTOR_USAGE}`);
      return 2;
    }
    const { report, java, redis, maven, foreign } = await collect(process.env);
    const { checks, nativeUsable, externalUsable, usable } = report;
    const choice = report.provider;
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      for (const c of checks) {
        console.log(`${c.ok ? (c.warn ? 'warn' : ' ok ') : 'FAIL'}  ${c.name}: ${c.detail}`);
        if (c.fix && (!c.ok || c.warn)) console.log(`      fix: ${c.fix}`);
      }
      console.log('');
      console.log(`provider: ${choice.id} would be chosen (${choice.why})`);
      if (choice.usable) console.log('it is usable: `npx topk stack up` starts it' + (choice.id === 'docker' && foreign ? ' (or reuses it, if the services on the stack ports are its containers)' : ''));
      else console.log('it is NOT usable yet: apply the fixes above');
      if (choice.id === 'docker' && nativeUsable) console.log('the native provider is usable too (`--provider native`)');
      if (foreign && !nativeUsable && java.ok && redis.ok && maven.ok) console.log('the native provider would find its ports taken: stop what holds them, or point TOPK_KAFKA_BROKERS / TOPK_CASSANDRA_CONTACT_POINTS / TOPK_REDIS_URL at other ports');
      if (externalUsable) console.log('Kafka, Cassandra and Redis already answer on the configured endpoints: `--provider external` uses them as they are');
    }
    return usable ? 0 : 1;
  });
}
