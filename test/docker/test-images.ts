/**
 * Local images for the docker provider's tests. Docker Hub cannot be reached
 * here, so we build Kafka, Cassandra and Redis images ourselves:
 *
 *   1. a Debian rootfs from `debootstrap` (JRE 17 + redis-server from apt),
 *      imported with the Engine API as `topk-test/base:<hash>`;
 *   2. one small build per service from test/docker/images/<service>/, the
 *      Kafka and Cassandra jars copied from Maven Central by that folder's pom.
 *
 * Every tag is a hash of its inputs, so a second run finds them and does
 * nothing. The stable `topk-test/<service>:current` tag (what
 * test/docker/compose.test.yml names) is moved to the hash tag each time.
 *
 * Run directly: `npx tsx test/docker/test-images.ts` (prints the image tags).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';

const HERE = dirname(fileURLToPath(import.meta.url));
const IMAGES_DIR = join(HERE, 'images');

export const TEST_IMAGE_SERVICES = ['kafka', 'cassandra', 'redis'] as const;
export type TestImageService = (typeof TEST_IMAGE_SERVICES)[number];

/** What goes into the Debian rootfs; changing it changes the base hash. */
const BASE_SUITE = 'bookworm';
const BASE_PACKAGES = ['openjdk-17-jre-headless', 'redis-server', 'procps'];

export interface TestImages {
  base: string;
  kafka: string;
  cassandra: string;
  redis: string;
}

type Log = (msg: string) => void;

function sha(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], opts: { cwd?: string; log: Log }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new Error(`${cmd} could not start: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail}`));
    });
  });
}

/** The Debian mirror apt already uses (TOPK_DEBIAN_MIRROR wins). */
export function debianMirror(): string {
  if (process.env.TOPK_DEBIAN_MIRROR) return process.env.TOPK_DEBIAN_MIRROR;
  const candidates = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const deb822 = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text);
    if (deb822?.[1]) return deb822[1];
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+\S+/m.exec(text);
    if (oneLine?.[1]) return oneLine[1];
  }
  return 'http://deb.debian.org/debian';
}

async function ensureBase(docker: Docker, log: Log): Promise<string> {
  const tag = sha(['base-v1', BASE_SUITE, ...BASE_PACKAGES]);
  const ref = `topk-test/base:${tag}`;
  if (await imageExists(docker, ref)) return ref;
  const work = mkdtempSync(join(tmpdir(), 'topk-rootfs-'));
  const root = join(work, 'rootfs');
  try {
    const started = Date.now();
    log(`debootstrap ${BASE_SUITE} (${BASE_PACKAGES.join(', ')}) from ${debianMirror()}`);
    await run('debootstrap', ['--variant=minbase', `--include=${BASE_PACKAGES.join(',')}`, BASE_SUITE, root, debianMirror()], { log });
    rmSync(join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
    rmSync(join(root, 'var/lib/apt/lists'), { recursive: true, force: true });
    log(`debootstrap done in ${Math.round((Date.now() - started) / 1000)}s; importing ${ref}`);
    const tar = spawn('tar', ['--numeric-owner', '-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const stream = await docker.importImage(tar.stdout, { repo: 'topk-test/base', tag });
    await followBuild(docker, stream, ref);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return ref;
}

function followBuild(docker: Docker, stream: NodeJS.ReadableStream, ref: string): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string; errorDetail?: { message?: string } }[]) => {
      const failed = out?.find((e) => e.error || e.errorDetail);
      if (err) reject(new Error(`building ${ref}: ${err.message}`));
      else if (failed) reject(new Error(`building ${ref}: ${failed.errorDetail?.message ?? failed.error}`));
      else resolve();
    });
  });
}

function dirHash(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => [name, readFileSync(join(dir, name)).toString('base64')]);
}

async function ensureService(docker: Docker, service: TestImageService, base: string, log: Log): Promise<string> {
  const src = join(IMAGES_DIR, service);
  const tag = sha(['svc-v1', base, ...dirHash(src)]);
  const ref = `topk-test/${service}:${tag}`;
  if (!(await imageExists(docker, ref))) {
    const started = Date.now();
    const ctx = mkdtempSync(join(tmpdir(), `topk-ctx-${service}-`));
    try {
      cpSync(src, ctx, { recursive: true });
      if (existsSync(join(ctx, 'pom.xml'))) {
        log(`${service}: copying jars with Maven`);
        await run('mvn', ['-q', '-B', 'dependency:copy-dependencies', '-DoutputDirectory=lib', '-DincludeScope=runtime'], { cwd: ctx, log });
      }
      log(`${service}: docker build ${ref}`);
      const stream = await docker.buildImage(
        { context: ctx, src: readdirSync(ctx) },
        { t: ref, buildargs: { BASE: base }, rm: true, forcerm: true },
      );
      await followBuild(docker, stream, ref);
      log(`${service}: built in ${Math.round((Date.now() - started) / 1000)}s`);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  }
  await docker.getImage(ref).tag({ repo: `topk-test/${service}`, tag: 'current' });
  return ref;
}

/** Builds whatever is missing; returns the hash tags. */
export async function ensureTestImages(opts: { docker?: Docker; log?: Log } = {}): Promise<TestImages> {
  const docker = opts.docker ?? new Docker();
  const log = opts.log ?? (() => {});
  const base = await ensureBase(docker, log);
  const out: TestImages = { base, kafka: '', cassandra: '', redis: '' };
  // one at a time: the machine has two cores
  for (const s of TEST_IMAGE_SERVICES) out[s] = await ensureService(docker, s, base, log);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  ensureTestImages({ log: (m) => console.log(`[test-images] ${m}`) })
    .then((images) => {
      console.log(`[test-images] ready in ${Math.round((Date.now() - started) / 1000)}s: ${JSON.stringify(images)}`);
    })
    .catch((err: Error) => {
      console.error(`[test-images] ${err.message}`);
      process.exit(1);
    });
}
