/**
 * Network, volumes and containers of a compose project: create what is missing, recreate
 * what changed, never touch what is not ours, and remove everything of the project on `down`.
 */
import type Docker from 'dockerode';
import type { ComposeProject } from './compose-file';
import { CONFIG_HASH_LABEL, PROJECT_LABEL, SERVICE_LABEL, networkName, planProject, projectLabels, volumeCreateOptions } from './compose-translate';
import type { ContainerPlan } from './compose-translate';
import { engineCall, engineMessage, findContainer, labelFilter, statusCode } from './docker-engine';
import { StackError } from './stack-error';
import { SERVICE_NAMES } from './types';
import type { ProgressEvent, ServiceName } from './types';

type Emit = (e: ProgressEvent) => void;

export function isStackService(s: string): s is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(s);
}

export async function ensureNetwork(docker: Docker, project: ComposeProject, emit: Emit): Promise<void> {
  const name = networkName(project);
  const existing = await engineCall('list networks', () => docker.listNetworks({ filters: JSON.stringify({ name: [name] }) }));
  if (existing.some((n) => n.Name === name)) return;
  emit({ service: 'stack', phase: 'create', message: `creating network ${name}` });
  await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: projectLabels(project) });
}

export async function ensureVolumes(docker: Docker, project: ComposeProject, emit: Emit): Promise<void> {
  const existing = await engineCall('list volumes', () => docker.listVolumes());
  const names = new Set((existing.Volumes ?? []).map((v) => v.Name));
  for (const key of Object.keys(project.volumes)) {
    const o = volumeCreateOptions(project, key);
    if (!o) {
      const ext = String(project.volumes[key]?.name ?? key);
      if (!names.has(ext)) throw new StackError(`external volume "${ext}" does not exist: create it with "docker volume create ${ext}"`, 'NOT_FOUND', { fix: `docker volume create ${ext}` });
      continue;
    }
    if (names.has(o.Name)) continue;
    emit({ service: 'stack', phase: 'create', message: `creating volume ${o.Name}` });
    await docker.createVolume(o);
  }
}

function startError(plan: ContainerPlan, err: unknown): StackError {
  const msg = engineMessage(err);
  const hint = /port is already allocated|address already in use/i.test(msg)
    ? ` (a published port of ${plan.service} is in use: stop whatever listens on ${plan.ports.map((p) => `${p.hostIp}:${p.hostPort ?? '?'}`).join(', ')})`
    : '';
  return new StackError(`cannot start ${plan.service}: ${msg}${hint}`, hint ? 'PORT_IN_USE' : 'START_FAILED', { service: plan.service });
}

/** The plan's container, running: reused when unchanged, recreated when its definition or image changed. */
export async function ensureContainer(docker: Docker, project: ComposeProject, plan: ContainerPlan, imageId: string, emit: Emit): Promise<Docker.Container> {
  const service = plan.service as ServiceName;
  const found = await findContainer(docker, project, plan.service);
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
        throw new StackError(
          `a container named ${plan.containerName} already exists and is not managed by Heavy Rotation: rename or remove it, or set a different project name`,
          'NAME_CONFLICT',
          { service: plan.service },
        );
      }
    } catch (err) {
      if (err instanceof StackError) throw err;
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

/** Stops and removes every container of the project (dependents first), its networks and, asked to, its volumes. */
export async function removeProject(docker: Docker, project: ComposeProject, env: NodeJS.ProcessEnv, opts: { volumes?: boolean; emit: Emit }): Promise<void> {
  const { emit } = opts;
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
        const service = isStackService(name) ? name : 'stack';
        const c = docker.getContainer(info.Id);
        if (info.State === 'running' || info.State === 'restarting' || info.State === 'paused') {
          emit({ service, phase: 'stop', message: `stopping ${name}` });
          await c.stop({ t: 30 }).catch((err: unknown) => {
            if (statusCode(err) !== 304 && statusCode(err) !== 404) throw err;
          });
        }
        emit({ service, phase: 'remove', message: `removing ${name}` });
        await c.remove({ force: true, v: !!opts.volumes }).catch((err: unknown) => {
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
        if (statusCode(err) !== 404) emit({ service: 'stack', phase: 'error', message: `network ${n.Name} kept: ${engineMessage(err)}` });
      });
  }
  if (!opts.volumes) return;
  const vols = await docker.listVolumes({ filters });
  for (const v of vols.Volumes ?? []) {
    emit({ service: 'stack', phase: 'remove', message: `removing volume ${v.Name}` });
    await docker
      .getVolume(v.Name)
      .remove()
      .catch((err: unknown) => {
        if (statusCode(err) !== 404) throw new StackError(`cannot remove volume ${v.Name}: ${engineMessage(err)}`, 'STOP_FAILED');
      });
  }
}
