/**
 * What every native service process shares, one node or a cluster of them: config files filled
 * from the templates in stack/native, JVM options, detached start with a pid file, the pid of our
 * live process (guarded against pid reuse), Kafka's storage format, Cassandra's JVM command line.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readlinkSync, realpathSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { START_MARK } from './native-logs';
import { exited } from './native-processes';
import { StackError } from './stack-error';

/** A template of stack/native with its `{{NAME}}` placeholders filled; a placeholder left over is an error. */
export function fillTemplate(stackDir: string, template: string, vars: Record<string, string | number>): string {
  let text = readFileSync(join(stackDir, template), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{${k}}}`, String(v));
  const left = /\{\{([A-Z_]+)\}\}/.exec(text);
  if (left) throw new StackError(`${template}: placeholder {{${left[1]}}} has no value`, 'CONFIG');
  return text;
}

/** stack/native/<name>/jvm.options: one option a line, # comments. */
export function jvmOptions(stackDir: string, name: 'kafka' | 'cassandra'): string[] {
  return readFileSync(join(stackDir, name, 'jvm.options'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

export interface Spawned {
  cmd: string;
  args: string[];
  /** the service's own folder: its cwd, which is how ownPid recognises it */
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
}

/** Starts a detached process with stdout+stderr appended to its log after a start mark; writes its pid file. */
export function spawnDetached(s: Spawned): number {
  const logFd = openSync(s.logFile, 'a');
  try {
    writeSync(logFd, `${START_MARK}${s.cmd.split('/').pop() ?? s.cmd} at ${new Date().toISOString()} ---\n`);
    const child = spawn(s.cmd, s.args, { cwd: s.cwd, env: s.env, detached: true, stdio: ['ignore', logFd, logFd] });
    if (child.pid === undefined) throw new StackError(`could not start ${s.cmd}`, 'START_FAILED');
    child.on('error', () => undefined);
    child.unref();
    writeFileSync(s.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(logFd);
  }
}

/** pid of our live process from its pid file, or undefined (stale files and reused pids, whose cwd is not `dir`, are ignored). */
export function livePid(pidFile: string, dir: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || exited(pid)) return undefined;
  if (existsSync(`/proc/${pid}/cwd`)) {
    try {
      if (realpathSync(readlinkSync(`/proc/${pid}/cwd`)) !== realpathSync(dir)) return undefined;
    } catch {
      return undefined;
    }
  }
  return pid;
}

/** `kafka-storage format` for one node's log dir (a KRaft node needs it once, with its cluster's id). */
export async function formatKafkaStorage(java: string, common: string[], clusterId: string, props: string, cwd: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  const code = await new Promise<number>((res) => {
    const logFd = openSync(logFile, 'a');
    const child = spawn(java, ['-Xmx256m', ...common, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props, '--ignore-formatted'], { cwd, env, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    child.once('error', () => res(1));
    child.once('exit', (c) => res(c ?? 1));
  });
  if (code !== 0) throw new StackError(`formatting Kafka storage failed (exit ${code}); see ${logFile}`, 'START_FAILED');
}

/** Cassandra's JVM command line: options, the jamm agent, config, data and log locations, class path. */
export function cassandraArgs(o: { jvm: string[]; lib: string; yaml: string; dataDir: string; logDir: string; logback: string; confDir: string }): string[] {
  return [
    ...o.jvm,
    `-javaagent:${join(o.lib, 'jamm-0.4.0.jar')}`,
    `-Dcassandra.config=file://${o.yaml}`,
    `-Dcassandra.storagedir=${o.dataDir}`,
    `-Dcassandra.logdir=${o.logDir}`,
    `-Dlogback.configurationFile=${o.logback}`,
    '-cp',
    `${o.confDir}:${o.lib}/*`,
    'org.apache.cassandra.service.CassandraDaemon',
  ];
}

export const CASSANDRA_DIRS = ['data', 'commitlog', 'saved_caches', 'hints', 'cdc_raw'];
