/**
 * The doctor: every check, and which provider `topk stack up` would choose and whether it is
 * usable. Imported by the CLI (`topk doctor`) and the control server (`GET /control/doctor`).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../engine/shared/config';
import { NativeStackProvider } from '../stack/native-provider';
import { dockerEndpoint } from '../stack/stack-manager';
import { diskCheck, dockerCheck, javaCheck, mavenCheck, portChecks, redisCheck } from './checks';
import type { Check } from './checks';

export type { Check };

export interface DoctorReport {
  checks: Check[];
  provider: { id: string; usable: boolean; why: string };
  nativeUsable: boolean;
  externalUsable: boolean;
  usable: boolean;
}

export interface Examination {
  report: DoctorReport;
  java: Check;
  redis: Check;
  maven: Check;
  /** how many stack ports are held by answering services not started by this data dir */
  foreign: number;
}

/** Every check, and which provider `topk stack up` would choose (also served by /control/doctor, in-process). */
export async function runChecks(env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  return (await examine(env)).report;
}

/** The report and the checks the CLI words its advice from. */
export async function examine(env: NodeJS.ProcessEnv): Promise<Examination> {
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
  const saved = config.stackProvider;
  const savedWhy = `chosen earlier ("stackProvider": "${saved}" in ${join(config.dataDir, 'config.json')})`;
  const provider =
    saved === 'native' || saved === 'external'
      ? { id: saved, usable: saved === 'native' ? nativeUsable : externalUsable, why: savedWhy }
      : docker.ok
        ? { id: 'docker', usable: dockerUsable, why: saved === 'docker' ? savedWhy : `a Docker engine answers at ${dockerEndpoint(env)}` }
        : { id: 'native', usable: nativeUsable, why: 'no Docker engine answers, so Kafka and Cassandra run as Java processes and redis-server from the OS' };
  const report: DoctorReport = { checks, provider, nativeUsable, externalUsable, usable: provider.usable || externalUsable };
  return { report, java, redis, maven, foreign };
}

/** Whether the native provider can run here and, when not, what stops it (for the docker → native fallback). */
export async function nativeVerdict(env: NodeJS.ProcessEnv): Promise<{ usable: boolean; why: string }> {
  const { report } = await examine(env);
  if (report.nativeUsable) return { usable: true, why: 'Java, redis-server, Maven (or cached jars), the ports and the disk are fine' };
  const problems = report.checks.filter((c) => !c.ok || c.foreign).map((c) => `${c.name}: ${c.detail}${c.fix ? ` (fix: ${c.fix})` : ''}`);
  return { usable: false, why: problems.join('; ') };
}
