/**
 * The native stack's jars: Kafka's and Cassandra's runtime dependencies, copied from Maven
 * Central by `mvn dependency:copy-dependencies` once, then cached.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from './prereqs';
import { StackError } from './stack-error';
import type { ProgressEvent } from './types';

export interface JarsLocation {
  /** the cache folder; `.complete` in it marks a finished fetch */
  dest: string;
  /** where the temporary Maven project goes */
  workRoot: string;
  /** the pom that lists the component's dependencies */
  pom: string;
  env: NodeJS.ProcessEnv;
}

/** The folder with the component's jars, fetched first when not cached. */
export async function fetchMavenJars(name: 'kafka' | 'cassandra', where: JarsLocation, progress: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<string> {
  const { dest } = where;
  if (existsSync(join(dest, '.complete'))) {
    progress({ service: name, phase: 'download', message: `${name} jars cached in ${dest}`, percent: 100 });
    return dest;
  }
  const mvn = which('mvn', where.env);
  if (!mvn) throw new StackError(`Maven (mvn) is needed once to fetch the ${name} jars from Maven Central`, 'MISSING_PREREQ', { fix: 'sudo apt-get install -y maven' });
  const work = join(where.workRoot, `.fetch-${name}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  copyFileSync(where.pom, join(work, 'pom.xml'));
  progress({ service: name, phase: 'download', message: `fetching ${name} jars from Maven Central (first run only)`, percent: 0 });
  let files = 0;
  let bytes = 0;
  const output: string[] = [];
  const code = await new Promise<number>((resolveExit, reject) => {
    const child = spawn(mvn, ['-B', '-f', join(work, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(work, 'lib')}`], {
      cwd: work,
      env: where.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    let partial = '';
    const onData = (d: Buffer) => {
      const lines = (partial + d.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        if (output.length > 200) output.shift();
        const m = /Downloaded from [^:]+: (\S+) \(([\d.]+) (B|kB|KB|MB|GB)/.exec(line);
        if (m && m[1]?.endsWith('.jar')) {
          files++;
          bytes += Number(m[2]) * ({ B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 }[m[3] as 'B'] ?? 1);
          progress({ service: name, phase: 'download', message: `${name}: downloaded ${m[1].split('/').pop()} (${files} jars, ${(bytes / 1e6).toFixed(1)} MB so far)`, bytesDone: bytes });
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (c) => resolveExit(c ?? 1));
  });
  if (code !== 0) {
    rmSync(work, { recursive: true, force: true });
    throw new StackError(`fetching ${name} jars with Maven failed (exit ${code}):\n${output.filter((l) => /ERROR|FAIL/.test(l)).slice(0, 15).join('\n')}`, 'FETCH_FAILED');
  }
  rmSync(dest, { recursive: true, force: true });
  renameSync(join(work, 'lib'), dest);
  rmSync(work, { recursive: true, force: true });
  writeFileSync(join(dest, '.complete'), new Date().toISOString() + '\n');
  progress({ service: name, phase: 'download', message: `${name} jars ready in ${dest}`, percent: 100 });
  return dest;
}
