#!/usr/bin/env node
// Makes sure the OS packages a command needs are installed, the way ensure-deps.mjs does for
// node_modules:
//   node scripts/ensure-os-deps.mjs start   before `npm start`: a way to run the stack (a Docker
//                                           engine, else Java, Maven and redis-server)
//   node scripts/ensure-os-deps.mjs test    before `npm test`: the native test stack + Chromium
//   node scripts/ensure-os-deps.mjs ci      .ci/run: the test set + docker.io and debootstrap, and python3 with
//                                           venv (schemathesis runs from a venv the project creates: npm run schemathesis:install)
// Running as root on Debian or Ubuntu it installs what is missing with apt-get (and stops the
// system redis-server service apt starts: the stack runs its own); elsewhere it prints the exact
// command for this system and exits 2. TOPK_SKIP_OS_DEPS=1 skips the check.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A tool the commands need, and its package on each system family. */
const TOOLS = {
  java: { why: 'runs the native Kafka and Cassandra', apt: 'openjdk-17-jre-headless', dnf: 'java-17-openjdk-headless', pacman: 'jre17-openjdk-headless', apk: 'openjdk17-jre-headless', brew: 'openjdk@17' },
  mvn: { why: 'fetches the Kafka and Cassandra jars once', apt: 'maven', dnf: 'maven', pacman: 'maven', apk: 'maven', brew: 'maven' },
  'redis-server': { why: 'the native Redis', apt: 'redis-server', dnf: 'redis', pacman: 'redis', apk: 'redis', brew: 'redis' },
  chromium: { why: 'drives the UI tests', apt: 'chromium', dnf: 'chromium', pacman: 'chromium', apk: 'chromium', brew: '--cask chromium' },
  dockerd: { why: "CI's docker provider tests", apt: 'docker.io', dnf: 'moby-engine', pacman: 'docker', apk: 'docker', brew: '--cask docker' },
  debootstrap: { why: "builds CI's local test images", apt: 'debootstrap', dnf: 'debootstrap', pacman: 'debootstrap', apk: 'debootstrap', brew: undefined },
  'python3-venv': { why: "runs CI's schemathesis check from a venv", apt: 'python3-venv', dnf: 'python3', pacman: 'python', apk: 'python3', brew: 'python' },
};

const NATIVE = ['java', 'mvn', 'redis-server'];

/**
 * The tools `purpose` needs on this machine. `start` needs the native stack only without a
 * Docker engine; `test` uses the native test stack unless told to use another one.
 */
export function neededTools(purpose, env, dockerEngine) {
  const stack = (env.TOPK_TEST_STACK === 'external' || env.TOPK_TEST_PROVIDER === 'docker') ? [] : NATIVE;
  if (purpose === 'start') return dockerEngine ? [] : NATIVE;
  if (purpose === 'test') return [...stack, 'chromium'];
  if (purpose === 'ci') return [...NATIVE, 'chromium', 'dockerd', 'debootstrap', 'python3-venv'];
  throw new Error(`unknown purpose "${purpose}" (start, test or ci)`);
}

/** The package manager family of this system, from `process.platform` and /etc/os-release. */
export function systemFamily(platform, osRelease) {
  if (platform === 'darwin') return 'brew';
  if (platform !== 'linux') return undefined;
  const ids = [...(osRelease ?? '').matchAll(/^(?:ID|ID_LIKE)="?([^"\n]*)"?$/gm)].flatMap((m) => m[1].split(/\s+/));
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) return 'apt';
  if (ids.some((i) => ['fedora', 'rhel', 'centos'].includes(i))) return 'dnf';
  if (ids.some((i) => i === 'arch')) return 'pacman';
  if (ids.includes('alpine')) return 'apk';
  return undefined;
}

/**
 * What to do: nothing, install with apt-get (root on Debian/Ubuntu), or print the command for
 * this system and stop. Everything about the machine comes in through `m`, so a test can run
 * the decision with the packages absent.
 * m: { purpose, env, platform, osRelease, isRoot, has(tool), dockerEngine }
 */
export function decide(m) {
  const missing = neededTools(m.purpose, m.env, m.dockerEngine).filter((t) => !m.has(t));
  if (missing.length === 0) return { action: 'none', missing };
  const family = systemFamily(m.platform, m.osRelease);
  const pkgs = family ? missing.map((t) => TOOLS[t][family]).filter(Boolean) : [];
  const sudo = m.isRoot || family === 'brew' ? '' : 'sudo ';
  const command = {
    apt: `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${pkgs.join(' ')}`,
    dnf: `${sudo}dnf install -y ${pkgs.join(' ')}`,
    pacman: `${sudo}pacman -S --needed ${pkgs.join(' ')}`,
    apk: `${sudo}apk add ${pkgs.join(' ')}`,
    brew: pkgs.map((p) => `brew install ${p}`).join(' && '),
  }[family];
  if (family === 'apt' && m.isRoot) return { action: 'apt', missing, packages: pkgs, command };
  return { action: 'print', missing, packages: pkgs, command };
}

function onPath(cmd, env) {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  return (env.PATH ?? '').split(delimiter).some((d) => d && exts.some((e) => existsSync(join(d, cmd + e))));
}

/** python3 that can create a venv with pip (Debian splits venv and ensurepip into python3-venv) */
function pythonVenv() {
  return spawnSync('python3', ['-c', 'import venv, ensurepip'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

function dockerEngineAnswers(env) {
  if (!onPath('docker', env)) return false;
  return spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5000 }).status === 0;
}

function machine(purpose, env) {
  return {
    purpose,
    env,
    platform: process.platform,
    osRelease: existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : undefined,
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    has: (tool) => (tool === 'python3-venv' ? pythonVenv() : onPath(tool, env)),
    dockerEngine: purpose === 'start' ? dockerEngineAnswers(env) : false,
  };
}

function run(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}`);
}

/** apt's redis-server package starts a system service on 6379; the stack runs its own redis-server. */
function stopSystemRedis() {
  if (spawnSync('systemctl', ['is-active', '--quiet', 'redis-server'], { stdio: 'ignore' }).status === 0) {
    spawnSync('systemctl', ['stop', 'redis-server'], { stdio: 'ignore' });
  } else if (existsSync('/var/run/redis/redis-server.pid')) {
    spawnSync('service', ['redis-server', 'stop'], { stdio: 'ignore' });
  }
}

function main() {
  const purpose = process.argv[2] ?? 'test';
  if (!['start', 'test', 'ci'].includes(purpose)) {
    console.error(`usage: node scripts/ensure-os-deps.mjs start|test|ci (got "${purpose}")`);
    return 2;
  }
  if (process.env.TOPK_SKIP_OS_DEPS === '1') return 0;
  const d = decide(machine(purpose, process.env));
  if (d.action === 'none') return 0;
  const what = d.missing.map((t) => `${t} (${TOOLS[t].why})`).join(', ');
  if (d.action === 'apt') {
    console.log(`[ensure-os-deps] missing ${what}: apt-get install ${d.packages.join(' ')}`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...d.packages], { DEBIAN_FRONTEND: 'noninteractive' });
    if (d.missing.includes('redis-server')) stopSystemRedis();
    return 0;
  }
  console.error(`[ensure-os-deps] missing ${what}.`);
  console.error(d.command ? `Install with:\n  ${d.command}` : `Install them with this system's package manager (packages: Java 17+, Maven, redis-server, Chromium).`);
  console.error('(or set TOPK_SKIP_OS_DEPS=1 to go on without them)');
  return 2;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(main());
