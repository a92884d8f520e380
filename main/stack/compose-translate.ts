/**
 * Pure translation of a compose service into Docker Engine create options
 * (the shape dockerode's `createContainer` takes). No I/O here: everything
 * the provider does to the engine is decided by these functions, so they are
 * unit-tested on their own.
 */
import { createHash } from 'node:crypto';
import type { ContainerCreateOptions, MountSettings } from 'dockerode';
import { ComposeError } from './compose-file';
import type { ComposeObject, ComposeProject } from './compose-file';
import { parseBytes, parseDependsOn, parseDuration, parseEnvironment, parseHealthcheck, parseLabels, parsePorts, parseRestart, parseVolumes, stableJson, stringList, volumeName } from './compose-fields';
import type { DependsCondition, PortBinding } from './compose-fields';

/** Label that marks every container, network and volume we create. */
export const PROJECT_LABEL = 'io.heavyrotation.project';
export const SERVICE_LABEL = 'io.heavyrotation.service';
export const CONFIG_HASH_LABEL = 'io.heavyrotation.config-hash';

export interface ContainerPlan {
  service: string;
  image: string;
  containerName: string;
  ports: PortBinding[];
  dependsOn: { service: string; condition: DependsCondition }[];
  hasHealthcheck: boolean;
  /** create options, labels included (the config hash among them) */
  create: ContainerCreateOptions;
  configHash: string;
}

const SUPPORTED_KEYS = new Set([
  'image', 'command', 'entrypoint', 'environment', 'ports', 'volumes', 'healthcheck', 'depends_on', 'mem_limit',
  'memswap_limit', 'restart', 'labels', 'user', 'working_dir', 'hostname', 'stop_grace_period', 'stop_signal',
  'container_name', 'deploy', 'ulimits', 'shm_size', 'tmpfs', 'init', 'expose',
]);

export function networkName(project: ComposeProject): string {
  return `${project.name}_default`;
}

export function projectLabels(project: ComposeProject): Record<string, string> {
  return { [PROJECT_LABEL]: project.name };
}

/** One service → everything needed to create and compare its container. */
export function planService(project: ComposeProject, service: string, env: Record<string, string | undefined> = process.env): ContainerPlan {
  const svc = project.services[service];
  if (!svc) throw new ComposeError(`unknown service "${service}"`, 'services');
  const f = `services.${service}`;
  for (const key of Object.keys(svc)) {
    if (!SUPPORTED_KEYS.has(key) && !key.startsWith('x-')) {
      throw new ComposeError(`${f}.${key} is not supported by the docker provider`, `${f}.${key}`);
    }
  }
  if (typeof svc.image !== 'string' || svc.image === '') throw new ComposeError(`${f}.image is required (building images is not supported)`, `${f}.image`);
  const image = svc.image;
  const ports = parsePorts(svc.ports, `${f}.ports`);
  const volumes = parseVolumes(svc.volumes, `${f}.volumes`, project);
  const healthcheck = parseHealthcheck(svc.healthcheck, `${f}.healthcheck`);
  const dependsOn = parseDependsOn(svc.depends_on, `${f}.depends_on`, Object.keys(project.services));

  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort === undefined ? '' : String(p.hostPort) });
  }
  if (Array.isArray(svc.expose)) for (const e of svc.expose) exposed[String(e).includes('/') ? String(e) : `${String(e)}/tcp`] = {};

  const mounts: MountSettings[] = volumes.map((v) => ({
    Type: v.type,
    Source: v.source ?? '',
    Target: v.target,
    ReadOnly: v.readOnly,
  }));

  let memory: number | undefined;
  if (svc.mem_limit !== undefined) memory = parseBytes(svc.mem_limit, `${f}.mem_limit`);
  const deployMem = ((svc.deploy as ComposeObject | undefined)?.resources as ComposeObject | undefined)?.limits as ComposeObject | undefined;
  if (memory === undefined && deployMem?.memory !== undefined) memory = parseBytes(deployMem.memory, `${f}.deploy.resources.limits.memory`);

  const hostConfig: NonNullable<ContainerCreateOptions['HostConfig']> = {
    NetworkMode: networkName(project),
    PortBindings: bindings,
    Mounts: mounts,
    RestartPolicy: parseRestart(svc.restart, `${f}.restart`),
  };
  if (memory !== undefined) hostConfig.Memory = memory;
  if (svc.memswap_limit !== undefined) hostConfig.MemorySwap = svc.memswap_limit === -1 ? -1 : parseBytes(svc.memswap_limit, `${f}.memswap_limit`);
  if (svc.shm_size !== undefined) hostConfig.ShmSize = parseBytes(svc.shm_size, `${f}.shm_size`);
  if (svc.init === true) hostConfig.Init = true;
  if (svc.tmpfs !== undefined) {
    const list = Array.isArray(svc.tmpfs) ? svc.tmpfs.map(String) : [String(svc.tmpfs)];
    hostConfig.Tmpfs = Object.fromEntries(list.map((t) => [t.split(':')[0] ?? t, t.split(':')[1] ?? '']));
  }
  if (svc.ulimits !== undefined && typeof svc.ulimits === 'object' && svc.ulimits !== null) {
    hostConfig.Ulimits = Object.entries(svc.ulimits as ComposeObject).map(([name, l]) => {
      if (typeof l === 'number') return { Name: name, Soft: l, Hard: l };
      const o = l as ComposeObject;
      return { Name: name, Soft: Number(o.soft), Hard: Number(o.hard) };
    });
  }

  const containerName = typeof svc.container_name === 'string' ? svc.container_name : `${project.name}-${service}-1`;
  const create: ContainerCreateOptions = {
    name: containerName,
    Image: image,
    Env: parseEnvironment(svc.environment, `${f}.environment`, env),
    ExposedPorts: exposed,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: { [networkName(project)]: { Aliases: [service] } } },
  };
  const cmd = stringList(svc.command, `${f}.command`);
  if (cmd) create.Cmd = cmd;
  const entrypoint = stringList(svc.entrypoint, `${f}.entrypoint`);
  if (entrypoint) create.Entrypoint = entrypoint;
  if (healthcheck) create.Healthcheck = healthcheck;
  if (svc.user !== undefined) create.User = String(svc.user);
  if (svc.working_dir !== undefined) create.WorkingDir = String(svc.working_dir);
  if (svc.hostname !== undefined) create.Hostname = String(svc.hostname);
  if (svc.stop_signal !== undefined) create.StopSignal = String(svc.stop_signal);
  if (svc.stop_grace_period !== undefined) create.StopTimeout = Math.ceil(parseDuration(svc.stop_grace_period, `${f}.stop_grace_period`) / 1e9);

  const configHash = createHash('sha256').update(stableJson(create)).digest('hex').slice(0, 32);
  create.Labels = {
    ...parseLabels(svc.labels, `${f}.labels`),
    ...projectLabels(project),
    [SERVICE_LABEL]: service,
    [CONFIG_HASH_LABEL]: configHash,
  };
  return {
    service,
    image,
    containerName,
    ports,
    dependsOn,
    hasHealthcheck: !!healthcheck && healthcheck.Test?.[0] !== 'NONE',
    create,
    configHash,
  };
}

/** Services ordered so each comes after what it depends on; cycles are an error. */
export function startOrder(plans: ContainerPlan[]): ContainerPlan[] {
  const byName = new Map(plans.map((p) => [p.service, p]));
  const out: ContainerPlan[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: ContainerPlan, chain: string[]) => {
    const s = state.get(p.service);
    if (s === 'done') return;
    if (s === 'visiting') throw new ComposeError(`depends_on cycle: ${[...chain, p.service].join(' -> ')}`, 'depends_on');
    state.set(p.service, 'visiting');
    for (const d of p.dependsOn) {
      const dep = byName.get(d.service);
      if (dep) visit(dep, [...chain, p.service]);
    }
    state.set(p.service, 'done');
    out.push(p);
  };
  for (const p of plans) visit(p, []);
  return out;
}

/** Plans every service of the project in start order. */
export function planProject(project: ComposeProject, env: Record<string, string | undefined> = process.env): ContainerPlan[] {
  return startOrder(Object.keys(project.services).map((s) => planService(project, s, env)));
}

/** Options to create one project volume (undefined for `external: true`). */
export function volumeCreateOptions(project: ComposeProject, key: string): { Name: string; Labels: Record<string, string>; Driver?: string } | undefined {
  const def: ComposeObject = project.volumes[key] ?? {};
  if (def.external === true) return undefined;
  return {
    Name: volumeName(project, key),
    Labels: { ...parseLabels(def.labels, `volumes.${key}.labels`), ...projectLabels(project), 'io.heavyrotation.volume': key },
    ...(typeof def.driver === 'string' ? { Driver: def.driver } : {}),
  };
}
