import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { StackError } from './stack-error';

/** Finding the programs the native stack needs. Shared by the native provider and `doctor`. */

/** Absolute path of `cmd` on PATH, or undefined. */
export function which(cmd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` on PATH. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.JAVA_HOME) {
    const p = join(env.JAVA_HOME, 'bin', 'java');
    if (isExecutable(p)) return p;
  }
  return which('java', env);
}

export function run(cmd: string, args: string[], timeoutMs = 15000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? Number((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Major version of a java binary (17 for "17.0.15", 8 for "1.8.0_392"), or undefined. */
export async function javaMajorVersion(java: string): Promise<{ major: number; version: string } | undefined> {
  const r = await run(java, ['-version']);
  return parseJavaVersion(r.stderr + r.stdout);
}

export function parseJavaVersion(text: string): { major: number; version: string } | undefined {
  const m = /version "([^"]+)"/.exec(text);
  if (!m?.[1]) return undefined;
  const version = m[1];
  const parts = version.split(/[._-]/).map((s) => Number.parseInt(s, 10));
  const major = parts[0] === 1 ? (parts[1] ?? 0) : (parts[0] ?? 0);
  return { major, version };
}

export const MIN_JAVA = 17;

/** A Java of at least MIN_JAVA for the native stack, or a StackError saying how to install one. */
export async function requireJava(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fix = 'sudo apt-get install -y openjdk-17-jre-headless';
  const java = findJava(env);
  if (!java) throw new StackError('Java 17 or newer is needed for the native stack and was not found (JAVA_HOME or java on PATH)', 'MISSING_PREREQ', { fix });
  const v = await javaMajorVersion(java);
  if (!v || v.major < MIN_JAVA) throw new StackError(`${java} is Java ${v?.version ?? 'of unknown version'}; the native stack needs Java ${MIN_JAVA}+`, 'MISSING_PREREQ', { fix });
  return java;
}

/** The path of `cmd` (a program installed from the OS package of the same name), or a StackError. */
export function requireProgram(cmd: 'redis-server', env: NodeJS.ProcessEnv = process.env): string {
  const bin = which(cmd, env);
  if (!bin) throw new StackError(`${cmd} was not found on PATH`, 'MISSING_PREREQ', { fix: `sudo apt-get install -y ${cmd}` });
  return bin;
}
