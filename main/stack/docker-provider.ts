/**
 * The `docker` stack provider: Kafka, Cassandra and Redis as containers, driven
 * through the Engine API (dockerode) from `stack/compose.yml` plus optional
 * override files layered on top of it (`opts.composeFiles` / the CLI's
 * `--compose-file`, else the `composeFiles` setting, TOPK_COMPOSE_FILE).
 *
 * Everything it creates carries the label io.heavyrotation.project=<project>,
 * and `down` only ever looks at things with that label. Images, containers and
 * health, and logs each live in a module of their own (docker-*.ts).
 */
import Docker from 'dockerode';
import type { Config } from '../../engine/shared/config';
import { composeFilesFrom, loadComposeProject } from './compose-file';
import type { ComposeProject } from './compose-file';
import { parseEnvironment, parsePorts } from './compose-fields';
import { planProject } from './compose-translate';
import { ensureContainer, ensureNetwork, ensureVolumes, isStackService, removeProject } from './docker-containers';
import { findContainer } from './docker-engine';
import { statusFromInspect, waitCompleted, waitHealthy } from './docker-health';
import type { HealthOptions } from './docker-health';
import { ImagePullError, ensureImage, imagesUnavailable } from './docker-images';
import { containerLogs } from './docker-logs';
import { StackError } from './stack-error';
import type { Disposable, DownOptions, LogOptions, ProgressEvent, ServiceLogLine, ServiceName, ServiceStatus, StackEndpoints, StackProvider, StackStatus, UpOptions } from './types';

export { dockerEngineAnswers } from './docker-engine';

export interface DockerProviderOptions {
  /** override files merged in order over stack/compose.yml (default: config.composeFiles, TOPK_COMPOSE_FILE) */
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

export class DockerStackProvider implements StackProvider {
  readonly id = 'docker' as const;
  private readonly docker: Docker;
  private readonly env: NodeJS.ProcessEnv;
  private readonly healthTimeoutMs: number;
  private readonly errorLogLines: number;
  private readonly logReconnectMs: number;

  constructor(
    private readonly config: Config,
    private readonly opts: DockerProviderOptions = {},
  ) {
    this.docker = opts.docker ?? new Docker();
    this.env = opts.env ?? process.env;
    this.healthTimeoutMs = opts.healthTimeoutMs ?? 300_000;
    this.errorLogLines = opts.errorLogLines ?? 30;
    this.logReconnectMs = opts.logReconnectMs ?? 1000;
  }

  private load(): ComposeProject {
    return loadComposeProject(composeFilesFrom({ composeFiles: this.opts.composeFiles?.length ? this.opts.composeFiles : this.config.composeFiles }), this.env);
  }

  private endpointOf(project: ComposeProject, service: string): { host: string; port: number } | undefined {
    const svc = project.services[service];
    if (!svc) return undefined;
    const published = parsePorts(svc.ports, `services.${service}.ports`).find((p) => p.hostPort !== undefined);
    return published?.hostPort ? { host: published.hostIp === '::1' ? '::1' : published.hostIp, port: published.hostPort } : undefined;
  }

  private endpointsOf(project: ComposeProject): StackEndpoints {
    const at = (s: string) => {
      const e = this.endpointOf(project, s);
      return e ? `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}` : undefined;
    };
    const kafka = at('kafka');
    const cassandra = at('cassandra');
    const redis = at('redis');
    const cassEnv = parseEnvironment(project.services.cassandra?.environment, 'services.cassandra.environment', {});
    const dc = cassEnv.find((kv) => kv.startsWith('CASSANDRA_DC='))?.slice('CASSANDRA_DC='.length);
    return {
      kafkaBrokers: kafka ? [kafka] : this.config.kafkaBrokers,
      cassandraContactPoints: cassandra ? [cassandra] : this.config.cassandraContactPoints,
      cassandraLocalDc: dc || this.config.cassandraLocalDc,
      redisUrl: redis ? `redis://${redis}` : this.config.redisUrl,
    };
  }

  endpoints(): StackEndpoints {
    return this.endpointsOf(this.load());
  }

  async up(upOpts: UpOptions = {}): Promise<StackEndpoints> {
    const { signal } = upOpts;
    const docker = this.docker;
    const emit = (e: ProgressEvent) => upOpts.onProgress?.(e);
    const health: HealthOptions = { timeoutMs: this.healthTimeoutMs, errorLogLines: this.errorLogLines, signal };
    const project = this.load();
    const plans = planProject(project, this.env);
    await ensureNetwork(docker, project, emit);
    await ensureVolumes(docker, project, emit);

    // services something waits on to finish (one-shot jobs): awaited for completion, not health
    const completionOnly = new Set(plans.flatMap((p) => p.dependsOn.filter((d) => d.condition === 'service_completed_successfully').map((d) => d.service)));
    const started = new Map<string, Promise<Docker.Container>>();
    const healthy = new Map<string, Promise<void>>();
    const completed = new Map<string, Promise<void>>();
    for (const plan of plans) {
      const image = ensureImage(docker, plan, emit, signal);
      const deps = Promise.all(
        plan.dependsOn.map((d) =>
          d.condition === 'service_healthy' ? healthy.get(d.service) : d.condition === 'service_completed_successfully' ? completed.get(d.service) : started.get(d.service),
        ),
      );
      const container = Promise.all([image, deps]).then(([imageId]) => ensureContainer(docker, project, plan, imageId, emit));
      started.set(plan.service, container);
      if (completionOnly.has(plan.service)) completed.set(plan.service, container.then((c) => waitCompleted(docker, plan, c, health)));
      else {
        const endpoint = isStackService(plan.service) ? this.endpointOf(project, plan.service) : undefined;
        healthy.set(plan.service, container.then((c) => waitHealthy(docker, plan, c, endpoint, emit, health)));
      }
    }
    const results = await Promise.allSettled(plans.map((p) => (completionOnly.has(p.service) ? completed.get(p.service) : healthy.get(p.service))));
    // a service waiting on a failed one fails with the same error: each failure once
    const failures = [...new Set(results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error))];
    if (failures.length) {
      // no 'error' progress event here: whoever called up() reports the thrown error, once
      const pulls = failures.filter((e): e is ImagePullError => e instanceof ImagePullError);
      if (pulls.length === failures.length) throw imagesUnavailable(pulls);
      const first = failures.find((e) => e.name !== 'AbortError') ?? failures[0];
      if (failures.length === 1 || !first) throw first;
      throw new StackError(failures.map((e) => e.message).join('\n\n'), first instanceof StackError ? first.code : 'START_FAILED');
    }
    emit({ service: 'stack', phase: 'ready', message: 'stack ready', percent: 100 });
    return this.endpointsOf(project);
  }

  async down(downOpts: DownOptions = {}): Promise<void> {
    await removeProject(this.docker, this.load(), this.env, { volumes: downOpts.volumes, emit: (e) => downOpts.onProgress?.(e) });
  }

  async status(): Promise<StackStatus> {
    const project = this.load();
    const names = Object.keys(project.services).filter(isStackService);
    const services: ServiceStatus[] = [];
    for (const name of names) {
      const ep = this.endpointOf(project, name);
      const endpoint = ep ? `${ep.host}:${ep.port}` : undefined;
      try {
        const found = await findContainer(this.docker, project, name);
        if (!found) {
          services.push({ name, state: 'absent', endpoint });
          continue;
        }
        const info = await this.docker.getContainer(found.Id).inspect();
        services.push(statusFromInspect(name, info, endpoint));
      } catch (err) {
        services.push({ name, state: 'error', endpoint, detail: (err as Error).message });
      }
    }
    return { provider: 'docker', services };
  }

  async logs(service: ServiceName, onLine: (l: ServiceLogLine) => void, logOpts: LogOptions = {}): Promise<Disposable> {
    const project = this.load();
    if (!project.services[service]) throw new StackError(`the compose files define no ${service} service`, 'CONFIG', { service });
    const first = await findContainer(this.docker, project, service);
    if (!first) throw new StackError(`${service} has no container: run "topk stack up" first`, 'NOT_FOUND', { service });
    return containerLogs(this.docker, service, first.Id, onLine, {
      ...logOpts,
      reconnectMs: this.logReconnectMs,
      findCurrent: () => findContainer(this.docker, project, service),
    });
  }
}

export function createDockerProvider(config: Config, opts?: DockerProviderOptions): DockerStackProvider {
  return new DockerStackProvider(config, opts);
}
