/**
 * The `docker` stack provider: Kafka, Cassandra and Redis as containers, driven
 * through the Engine API (dockerode) from `stack/compose.yml` plus optional
 * override files layered on top of it (`opts.composeFiles` / the CLI's
 * `--compose-file`, or `TOPK_COMPOSE_FILE` holding paths separated by the
 * platform's path delimiter).
 *
 * Everything it creates carries the label io.heavyrotation.project=<project>,
 * and `down` only ever looks at things with that label.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import type { Config } from '../../engine/shared/config';
import { loadComposeProject } from './compose-file';
import type { ComposeProject } from './compose-file';
import {
  CONFIG_HASH_LABEL,
  PROJECT_LABEL,
  SERVICE_LABEL,
  networkName,
  parseEnvironment,
  parsePorts,
  planProject,
  projectLabels,
  volumeCreateOptions,
} from './compose-translate';
import type { ServicePlan } from './compose-translate';
import { LogDemuxer, PullProgress } from './docker-streams';
import type { PullEvent } from './docker-streams';
import { SERVICE_NAMES } from './types';
import type {
  Disposable,
  DownOptions,
  LogOptions,
  ProgressEvent,
  ServiceLogLine,
  ServiceName,
  ServiceStatus,
  StackEndpoints,
  StackProvider,
  StackStatus,
  UpOptions,
} from './types';

export interface DockerProviderOptions {
  /** compose files, merged in order (default: stack/compose.yml, or TOPK_COMPOSE_FILE) */
  composeFiles?: string[];
  /** Engine client (default: from DOCKER_HOST or the local socket) */
  docker?: Docker;
  /** how long `up` waits for each service to become healthy and answer (default 5 min) */
  healthTimeoutMs?: number;
  /** how many log lines a health failure quotes (default 30) */
  errorLogLines?: number;
  /** delay before a followed log stream reconnects after its container went away (default 1 s) */
  logReconnectMs?: number;
  env?: NodeJS.ProcessEnv;
}

export class DockerProviderError extends Error {
  constructor(
    message: string,
    readonly service?: string,
  ) {
    super(message);
    this.name = 'DockerProviderError';
  }
}

/** The repository's stack/compose.yml, found from this module upwards (works from source and from dist/). */
export function defaultComposeFile(): string {
  // the packaged desktop app ships stack/ as an extra resource outside the asar
  const resources = process.env.TOPK_RESOURCES_DIR;
  if (resources && existsSync(join(resources, 'stack', 'compose.yml'))) return join(resources, 'stack', 'compose.yml');
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'stack', 'compose.yml');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return resolve('stack', 'compose.yml');
}

/**
 * The compose files to merge: stack/compose.yml first, then the override files
 * from `composeFiles` (or TOPK_COMPOSE_FILE, paths separated by the platform's
 * path delimiter), like `docker compose -f stack/compose.yml -f override.yml`.
 */
export function composeFilesFrom(opts: { composeFiles?: string[]; env?: NodeJS.ProcessEnv; base?: string } = {}): string[] {
  const base = resolve(opts.base ?? defaultComposeFile());
  const fromEnv = (opts.env ?? process.env).TOPK_COMPOSE_FILE;
  const extra = opts.composeFiles?.length ? opts.composeFiles : fromEnv ? fromEnv.split(delimiter).filter(Boolean) : [];
  return [base, ...extra.map((f) => resolve(f)).filter((f) => f !== base)];
}

/** True when a Docker engine answers a ping (DOCKER_HOST or the default socket) within `timeoutMs`. */
export async function dockerEngineAnswers(timeoutMs = 2000, docker: Docker = new Docker()): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const ping = docker.ping().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((res) => {
      timer = setTimeout(() => res(false), timeoutMs);
    });
    return await Promise.race([ping, timeout]);
  } catch {
    return false;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((res, rej) => {
    if (signal?.aborted) {
      rej(abortError());
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      res();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      rej(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function abortError(): Error {
  const e = new Error('stack up aborted');
  e.name = 'AbortError';
  return e;
}

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; reason?: string; message?: string };
  return e?.json?.message ?? e?.message ?? String(err);
}

/** `redis` → `redis:latest`; refs with a tag or digest unchanged. */
export function withTag(image: string): string {
  const lastSlash = image.lastIndexOf('/');
  const name = image.slice(lastSlash + 1);
  return name.includes(':') || name.includes('@') ? image : `${image}:latest`;
}

const mib = (n: number) => (n / 1024 / 1024).toFixed(1);

function isStackService(s: string): s is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(s);
}

function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((res) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      res(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

type Inspect = Docker.ContainerInspectInfo;

export function createDockerProvider(config: Config, opts: DockerProviderOptions = {}): StackProvider {
  const docker = opts.docker ?? new Docker();
  const env = opts.env ?? process.env;
  const healthTimeoutMs = opts.healthTimeoutMs ?? 300_000;
  const errorLogLines = opts.errorLogLines ?? 30;
  const logReconnectMs = opts.logReconnectMs ?? 1000;
  const files = () => composeFilesFrom({ composeFiles: opts.composeFiles, env });
  const load = (): ComposeProject => loadComposeProject(files(), env);

  const labelFilter = (project: ComposeProject, service?: string) =>
    JSON.stringify({ label: [`${PROJECT_LABEL}=${project.name}`, ...(service ? [`${SERVICE_LABEL}=${service}`] : [])] });

  async function engineCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
        throw new DockerProviderError(
          `cannot reach the Docker engine (${code}) while trying to ${what}: start Docker (or set DOCKER_HOST), or use --provider native`,
        );
      }
      throw err;
    }
  }

  async function findContainer(project: ComposeProject, service: string): Promise<Docker.ContainerInfo | undefined> {
    const list = await engineCall('list containers', () => docker.listContainers({ all: true, filters: labelFilter(project, service) }));
    return list[0];
  }

  function endpointOf(project: ComposeProject, service: string): { host: string; port: number } | undefined {
    const svc = project.services[service];
    if (!svc) return undefined;
    const published = parsePorts(svc.ports, `services.${service}.ports`).find((p) => p.hostPort !== undefined);
    return published?.hostPort ? { host: published.hostIp === '::1' ? '::1' : published.hostIp, port: published.hostPort } : undefined;
  }

  function endpointsOf(project: ComposeProject): StackEndpoints {
    const at = (s: string) => {
      const e = endpointOf(project, s);
      return e ? `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}` : undefined;
    };
    const kafka = at('kafka');
    const cassandra = at('cassandra');
    const redis = at('redis');
    const cassEnv = parseEnvironment(project.services.cassandra?.environment, 'services.cassandra.environment', {});
    const dc = cassEnv.find((kv) => kv.startsWith('CASSANDRA_DC='))?.slice('CASSANDRA_DC='.length);
    return {
      kafkaBrokers: kafka ? [kafka] : config.kafkaBrokers,
      cassandraContactPoints: cassandra ? [cassandra] : config.cassandraContactPoints,
      cassandraLocalDc: dc || config.cassandraLocalDc,
      redisUrl: redis ? `redis://${redis}` : config.redisUrl,
    };
  }

  async function lastLogLines(id: string, n: number): Promise<string> {
    try {
      const buf = (await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: n, timestamps: false, follow: false })) as unknown as Buffer;
      const lines: string[] = [];
      const demux = new LogDemuxer((l) => lines.push(l.line));
      demux.push(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
      demux.end();
      return lines.slice(-n).join('\n');
    } catch (err) {
      return `(logs unavailable: ${engineMessage(err)})`;
    }
  }

  async function ensureNetwork(project: ComposeProject, emit: (e: ProgressEvent) => void): Promise<void> {
    const name = networkName(project);
    const existing = await engineCall('list networks', () => docker.listNetworks({ filters: JSON.stringify({ name: [name] }) }));
    if (existing.some((n) => n.Name === name)) return;
    emit({ service: 'stack', phase: 'create', message: `creating network ${name}` });
    await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: projectLabels(project) });
  }

  async function ensureVolumes(project: ComposeProject, emit: (e: ProgressEvent) => void): Promise<void> {
    const existing = await engineCall('list volumes', () => docker.listVolumes());
    const names = new Set((existing.Volumes ?? []).map((v) => v.Name));
    for (const key of Object.keys(project.volumes)) {
      const o = volumeCreateOptions(project, key);
      if (!o) {
        const ext = project.volumes[key]?.name ?? key;
        if (!names.has(String(ext))) throw new DockerProviderError(`external volume "${String(ext)}" does not exist: create it with "docker volume create ${String(ext)}"`);
        continue;
      }
      if (names.has(o.Name)) continue;
      emit({ service: 'stack', phase: 'create', message: `creating volume ${o.Name}` });
      await docker.createVolume(o);
    }
  }

  async function pullImage(plan: ServicePlan, emit: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<void> {
    const ref = withTag(plan.image);
    const service = plan.service as ServiceName;
    const howToFix = `connect to the internet and run "topk stack up" again, or make the image available locally (docker pull ${ref}, or docker load / docker build it)`;
    emit({ service, phase: 'pull', message: `pulling ${ref}`, percent: 0 });
    let stream: NodeJS.ReadableStream;
    try {
      stream = await docker.pull(ref);
    } catch (err) {
      throw new DockerProviderError(`image ${ref} is not available locally and could not be pulled (${engineMessage(err)}): ${howToFix}`, plan.service);
    }
    const progress = new PullProgress();
    let lastPercent = -1;
    let lastEmit = 0;
    await new Promise<void>((res, rej) => {
      const onAbort = () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        rej(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      docker.modem.followProgress(
        stream,
        (err: Error | null, out: PullEvent[]) => {
          signal?.removeEventListener('abort', onAbort);
          const failed = out?.find((e) => e.error || e.errorDetail);
          if (err || failed) {
            const why = err?.message ?? failed?.errorDetail?.message ?? failed?.error ?? 'unknown error';
            rej(new DockerProviderError(`image ${ref} is not available locally and could not be pulled (${why}): ${howToFix}`, plan.service));
          } else res();
        },
        (e: PullEvent) => {
          const snap = progress.update(e);
          const now = Date.now();
          if (snap.percent !== lastPercent && (now - lastEmit > 250 || snap.percent === 100)) {
            lastPercent = snap.percent;
            lastEmit = now;
            emit({
              service,
              phase: 'pull',
              message: `pulling ${ref}: ${snap.percent}% (${mib(snap.bytesDone)} of ${mib(snap.bytesTotal)} MiB, ${snap.layersDone}/${snap.layers} layers)`,
              percent: snap.percent,
              bytesDone: snap.bytesDone,
              bytesTotal: snap.bytesTotal,
            });
          }
        },
      );
    });
    emit({ service, phase: 'pull', message: `pulled ${ref}`, percent: 100 });
  }

  async function ensureImage(plan: ServicePlan, emit: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<string> {
    const inspectId = async () => (await docker.getImage(plan.image).inspect()).Id;
    try {
      return await engineCall('inspect an image', inspectId);
    } catch (err) {
      if (err instanceof DockerProviderError || statusCode(err) !== 404) throw err;
    }
    await pullImage(plan, emit, signal);
    return inspectId();
  }

  async function ensureContainer(project: ComposeProject, plan: ServicePlan, imageId: string, emit: (e: ProgressEvent) => void): Promise<Docker.Container> {
    const service = plan.service as ServiceName;
    const found = await findContainer(project, plan.service);
    if (found) {
      const c = docker.getContainer(found.Id);
      const changed = found.Labels[CONFIG_HASH_LABEL] !== plan.configHash || found.ImageID !== imageId;
      if (!changed) {
        if (found.State === 'running') {
          emit({ service, phase: 'start', message: `${plan.service} already running` });
          return c;
        }
        emit({ service, phase: 'start', message: `starting ${plan.service}` });
        await c.start().catch((err: unknown) => {
          if (statusCode(err) !== 304) throw startError(plan, err);
        });
        return c;
      }
      emit({ service, phase: 'create', message: `${plan.service} definition changed: recreating its container` });
      await c.stop({ t: plan.create.StopTimeout ?? 10 }).catch(() => {});
      await c.remove({ force: true });
    } else {
      // a container with our name that is not ours: never touch it
      try {
        const other = await docker.getContainer(plan.containerName).inspect();
        if (other.Config.Labels?.[PROJECT_LABEL] !== project.name) {
          throw new DockerProviderError(
            `a container named ${plan.containerName} already exists and is not managed by Heavy Rotation: rename or remove it, or set a different project name`,
            plan.service,
          );
        }
      } catch (err) {
        if (err instanceof DockerProviderError) throw err;
      }
    }
    emit({ service, phase: 'create', message: `creating ${plan.containerName} from ${plan.image}` });
    const c = await docker.createContainer(plan.create);
    emit({ service, phase: 'start', message: `starting ${plan.service}` });
    await c.start().catch((err: unknown) => {
      throw startError(plan, err);
    });
    return c;
  }

  function startError(plan: ServicePlan, err: unknown): DockerProviderError {
    const msg = engineMessage(err);
    const hint = /port is already allocated|address already in use/i.test(msg)
      ? ` (a published port of ${plan.service} is in use: stop whatever listens on ${plan.ports.map((p) => `${p.hostIp}:${p.hostPort ?? '?'}`).join(', ')})`
      : '';
    return new DockerProviderError(`cannot start ${plan.service}: ${msg}${hint}`, plan.service);
  }

  async function waitReady(project: ComposeProject, plan: ServicePlan, c: Docker.Container, emit: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<void> {
    const service = plan.service as ServiceName;
    const started = Date.now();
    const deadline = started + healthTimeoutMs;
    emit({ service, phase: 'wait', message: plan.hasHealthcheck ? `waiting for ${plan.service} to be healthy` : `waiting for ${plan.service} to run` });
    let info: Inspect | undefined;
    const fail = async (why: string) => {
      const logs = await lastLogLines(c.id, errorLogLines);
      const check = info?.State.Health?.Log?.at(-1);
      const checkText = check ? `\nlast health check (exit ${check.ExitCode}): ${check.Output.trim().slice(-500) || '(no output)'}` : '';
      return new DockerProviderError(`${plan.service} ${why}${checkText}\nlast ${errorLogLines} log lines of ${plan.containerName}:\n${logs}`, plan.service);
    };
    for (;;) {
      if (signal?.aborted) throw abortError();
      info = await c.inspect();
      const st = info.State;
      if (st.Status === 'exited' || st.Status === 'dead') {
        throw await fail(`stopped while starting (exit code ${st.ExitCode}${st.Error ? `, ${st.Error}` : ''})`);
      }
      const health = st.Health?.Status;
      if (st.Running && !st.Restarting) {
        if (!plan.hasHealthcheck || health === 'healthy') break;
        if (health === 'unhealthy') throw await fail('is unhealthy');
      }
      if (Date.now() > deadline) {
        throw await fail(`did not become healthy within ${Math.round(healthTimeoutMs / 1000)}s (state ${st.Status}, health ${health ?? 'none'})`);
      }
      await sleep(plan.hasHealthcheck ? 1000 : 300, signal);
    }
    // and it must answer from the host through its published port
    const ep = isStackService(plan.service) ? endpointOf(project, plan.service) : undefined;
    if (ep) {
      while (!(await tcpAnswers(ep.host, ep.port, 2000))) {
        if (Date.now() > deadline) throw await fail(`is healthy but does not answer on ${ep.host}:${ep.port} from the host`);
        await sleep(500, signal);
      }
    }
    emit({ service, phase: 'ready', message: `${plan.service} ready in ${Math.round((Date.now() - started) / 1000)}s`, percent: 100 });
  }

  async function waitCompleted(c: Docker.Container, plan: ServicePlan, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + healthTimeoutMs;
    for (;;) {
      const st = (await c.inspect()).State;
      if (st.Status === 'exited') {
        if (st.ExitCode === 0) return;
        throw new DockerProviderError(`${plan.service} exited with code ${st.ExitCode}\n${await lastLogLines(c.id, errorLogLines)}`, plan.service);
      }
      if (Date.now() > deadline) throw new DockerProviderError(`${plan.service} did not complete within ${Math.round(healthTimeoutMs / 1000)}s`, plan.service);
      await sleep(500, signal);
    }
  }

  const provider: StackProvider = {
    id: 'docker',

    endpoints(): StackEndpoints {
      return endpointsOf(load());
    },

    async up(upOpts: UpOptions = {}): Promise<StackEndpoints> {
      const { signal } = upOpts;
      const emit = (e: ProgressEvent) => upOpts.onProgress?.(e);
      const project = load();
      const plans = planProject(project, env);
      await ensureNetwork(project, emit);
      await ensureVolumes(project, emit);

      // services something waits on to finish (one-shot jobs): awaited for completion, not health
      const completionOnly = new Set(plans.flatMap((p) => p.dependsOn.filter((d) => d.condition === 'service_completed_successfully').map((d) => d.service)));
      const started = new Map<string, Promise<Docker.Container>>();
      const healthy = new Map<string, Promise<void>>();
      const completed = new Map<string, Promise<void>>();
      for (const plan of plans) {
        const image = ensureImage(plan, emit, signal);
        const deps = Promise.all(
          plan.dependsOn.map((d) =>
            d.condition === 'service_healthy' ? healthy.get(d.service) : d.condition === 'service_completed_successfully' ? completed.get(d.service) : started.get(d.service),
          ),
        );
        const container = Promise.all([image, deps]).then(([imageId]) => ensureContainer(project, plan, imageId, emit));
        started.set(plan.service, container);
        if (!completionOnly.has(plan.service)) healthy.set(plan.service, container.then((c) => waitReady(project, plan, c, emit, signal)));
        if (completionOnly.has(plan.service)) completed.set(plan.service, container.then((c) => waitCompleted(c, plan, signal)));
      }
      const results = await Promise.allSettled(plans.map((p) => (completionOnly.has(p.service) ? completed.get(p.service) : healthy.get(p.service))));
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
      if (failures.length) {
        const first = failures.find((e) => e.name !== 'AbortError') ?? failures[0];
        emit({ service: 'stack', phase: 'error', message: first?.message ?? 'stack up failed' });
        if (failures.length === 1 || !first) throw first;
        throw new DockerProviderError(failures.map((e) => e.message).join('\n\n'));
      }
      emit({ service: 'stack', phase: 'ready', message: 'stack ready', percent: 100 });
      return endpointsOf(project);
    },

    async down(downOpts: DownOptions = {}): Promise<void> {
      const emit = (e: ProgressEvent) => downOpts.onProgress?.(e);
      const project = load();
      const filters = labelFilter(project);
      const containers = await engineCall('list containers', () => docker.listContainers({ all: true, filters }));
      // dependents first; services at the same depth stop together
      const depth = new Map<string, number>();
      try {
        for (const p of planProject(project, env)) depth.set(p.service, 1 + Math.max(0, ...p.dependsOn.map((d) => depth.get(d.service) ?? 0)));
      } catch {
        /* an unreadable definition: stop everything at once */
      }
      const rank = (c: Docker.ContainerInfo) => -(depth.get(c.Labels[SERVICE_LABEL] ?? '') ?? 0);
      const groups = new Map<number, Docker.ContainerInfo[]>();
      for (const c of containers) groups.set(rank(c), [...(groups.get(rank(c)) ?? []), c]);
      for (const r of [...groups.keys()].sort((a, b) => a - b)) {
        await Promise.all(
          (groups.get(r) ?? []).map(async (info) => {
            const name = info.Labels[SERVICE_LABEL] ?? info.Id.slice(0, 12);
            const service = (isStackService(name) ? name : 'stack') as ServiceName | 'stack';
            const c = docker.getContainer(info.Id);
            if (info.State === 'running' || info.State === 'restarting' || info.State === 'paused') {
              emit({ service, phase: 'stop', message: `stopping ${name}` });
              await c.stop({ t: 30 }).catch((err: unknown) => {
                if (statusCode(err) !== 304 && statusCode(err) !== 404) throw err;
              });
            }
            emit({ service, phase: 'remove', message: `removing ${name}` });
            await c.remove({ force: true, v: !!downOpts.volumes }).catch((err: unknown) => {
              if (statusCode(err) !== 404) throw err;
            });
          }),
        );
      }
      const networks = await docker.listNetworks({ filters });
      for (const n of networks) {
        emit({ service: 'stack', phase: 'remove', message: `removing network ${n.Name}` });
        await docker
          .getNetwork(n.Id)
          .remove()
          .catch((err: unknown) => {
            if (statusCode(err) !== 404) {
              emit({ service: 'stack', phase: 'error', message: `network ${n.Name} kept: ${engineMessage(err)}` });
            }
          });
      }
      if (downOpts.volumes) {
        const vols = await docker.listVolumes({ filters });
        for (const v of vols.Volumes ?? []) {
          emit({ service: 'stack', phase: 'remove', message: `removing volume ${v.Name}` });
          await docker
            .getVolume(v.Name)
            .remove()
            .catch((err: unknown) => {
              if (statusCode(err) !== 404) throw new DockerProviderError(`cannot remove volume ${v.Name}: ${engineMessage(err)}`);
            });
        }
      }
    },

    async status(): Promise<StackStatus> {
      const project = load();
      const names = Object.keys(project.services).filter(isStackService);
      const services: ServiceStatus[] = [];
      for (const name of names) {
        const ep = endpointOf(project, name);
        const endpoint = ep ? `${ep.host}:${ep.port}` : undefined;
        try {
          const found = await findContainer(project, name);
          if (!found) {
            services.push({ name, state: 'absent', endpoint });
            continue;
          }
          const info = await docker.getContainer(found.Id).inspect();
          services.push(statusFromInspect(name, info, endpoint));
        } catch (err) {
          services.push({ name, state: 'error', endpoint, detail: (err as Error).message });
        }
      }
      return { provider: 'docker', services };
    },

    async logs(service: ServiceName, onLine: (l: ServiceLogLine) => void, logOpts: LogOptions = {}): Promise<Disposable> {
      const project = load();
      if (!project.services[service]) throw new DockerProviderError(`the compose files define no ${service} service`, service);
      const first = await findContainer(project, service);
      if (!first) throw new DockerProviderError(`${service} has no container: run "topk stack up" first`, service);
      let disposed = false;
      let current: NodeJS.ReadableStream | undefined;
      let lastTime = '';
      const deliver = (l: { stream: 'stdout' | 'stderr'; time?: string; line: string }) => {
        if (disposed) return;
        const time = l.time ?? new Date().toISOString();
        lastTime = time;
        onLine({ service, stream: l.stream, time, line: l.line });
      };
      const dispose = () => {
        if (disposed) return;
        disposed = true;
        (current as unknown as { destroy?: () => void } | undefined)?.destroy?.();
      };
      logOpts.signal?.addEventListener('abort', dispose, { once: true });

      if (!logOpts.follow) {
        const c = docker.getContainer(first.Id);
        const info = await c.inspect();
        const buf = (await c.logs({ stdout: true, stderr: true, timestamps: true, follow: false, ...(logOpts.tail !== undefined ? { tail: logOpts.tail } : {}) })) as unknown as Buffer;
        const demux = new LogDemuxer(deliver, info.Config.Tty);
        demux.push(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
        demux.end();
        return { dispose };
      }

      const attach = async (id: string, since?: string) => {
        const c = docker.getContainer(id);
        const info = await c.inspect();
        const stream = (await c.logs({
          stdout: true,
          stderr: true,
          timestamps: true,
          follow: true,
          ...(since ? { since: Math.floor(new Date(since).getTime() / 1000) } : logOpts.tail !== undefined ? { tail: logOpts.tail } : {}),
        })) as unknown as NodeJS.ReadableStream;
        if (disposed) {
          (stream as unknown as { destroy: () => void }).destroy();
          return;
        }
        current = stream;
        const skipUntil = since;
        const demux = new LogDemuxer((l) => {
          if (skipUntil && l.time && l.time <= skipUntil) return;
          deliver(l);
        }, info.Config.Tty);
        stream.on('data', (b: Buffer) => demux.push(b));
        stream.on('error', () => {});
        stream.on('end', () => {
          demux.end();
          if (!disposed) void reconnect();
        });
      };
      // the container went away or was recreated: follow the new one
      const reconnect = async () => {
        while (!disposed) {
          await sleep(logReconnectMs).catch(() => {});
          if (disposed) return;
          try {
            const found = await findContainer(project, service);
            if (found && found.State === 'running') {
              await attach(found.Id, lastTime || undefined);
              return;
            }
          } catch {
            /* engine busy or gone: try again */
          }
        }
      };
      await attach(first.Id);
      return { dispose };
    },
  };
  return provider;
}

/** Maps an inspect result to the provider-neutral status. */
export function statusFromInspect(name: ServiceName, info: Inspect, endpoint?: string): ServiceStatus {
  const st = info.State;
  const health = st.Health?.Status as ServiceStatus['health'] | undefined;
  let state: ServiceStatus['state'];
  if (st.Running && !st.Restarting) {
    state = health === 'starting' ? 'starting' : health === 'unhealthy' ? 'unhealthy' : 'running';
  } else if (st.Restarting) state = 'starting';
  else if (st.Status === 'dead') state = 'error';
  else state = 'stopped';
  const bindings = info.NetworkSettings?.Ports ?? {};
  const published = Object.values(bindings)
    .flat()
    .find((b) => b && b.HostPort);
  const ep = published ? `${published.HostIp || '127.0.0.1'}:${published.HostPort}` : endpoint;
  const startedAt = st.Running && st.StartedAt && !st.StartedAt.startsWith('0001') ? st.StartedAt : undefined;
  const image = info.Config.Image;
  const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : undefined;
  const out: ServiceStatus = {
    name,
    state,
    health: health ?? 'none',
    endpoint: ep,
    containerId: info.Id.slice(0, 12),
    version: tag && !tag.includes('/') ? tag : undefined,
  };
  if (startedAt) {
    out.startedAt = new Date(startedAt).toISOString();
    out.uptimeSeconds = Math.max(0, Math.round((Date.now() - new Date(startedAt).getTime()) / 1000));
  }
  if (st.Pid) out.pid = st.Pid;
  if (state === 'stopped' && st.ExitCode) out.detail = `exited with code ${st.ExitCode}`;
  if (state === 'error' && st.Error) out.detail = st.Error;
  return out;
}
