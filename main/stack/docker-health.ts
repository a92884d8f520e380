/**
 * When a container counts as up: healthy by its own health check (or running, without one)
 * and answering on its published port from the host; and how its state reads as a status.
 */
import type Docker from 'dockerode';
import { sleep } from '../../engine/shared/concurrency';
import type { ContainerPlan } from './compose-translate';
import { lastLogLines } from './docker-logs';
import { portOpen } from './probes';
import { StackError, abortError } from './stack-error';
import type { ProgressEvent, ServiceName, ServiceStatus } from './types';

export interface HealthOptions {
  /** how long to wait in all */
  timeoutMs: number;
  /** how many log lines a failure quotes */
  errorLogLines: number;
  signal?: AbortSignal;
}

async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, signal);
  if (signal?.aborted) throw abortError();
}

/** Waits until the container is healthy and, when `endpoint` is given, answers there from the host. */
export async function waitHealthy(
  docker: Docker,
  plan: ContainerPlan,
  c: Docker.Container,
  endpoint: { host: string; port: number } | undefined,
  emit: (e: ProgressEvent) => void,
  o: HealthOptions,
): Promise<void> {
  const service = plan.service as ServiceName;
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  emit({ service, phase: 'wait', message: plan.hasHealthcheck ? `waiting for ${plan.service} to be healthy` : `waiting for ${plan.service} to run` });
  let info: Docker.ContainerInspectInfo | undefined;
  const fail = async (why: string) => {
    const logs = await lastLogLines(docker, c.id, o.errorLogLines);
    const check = info?.State.Health?.Log?.at(-1);
    const checkText = check ? `\nlast health check (exit ${check.ExitCode}): ${check.Output.trim().slice(-500) || '(no output)'}` : '';
    return new StackError(`${plan.service} ${why}${checkText}\nlast ${o.errorLogLines} log lines of ${plan.containerName}:\n${logs}`, 'START_FAILED', { service: plan.service });
  };
  for (;;) {
    if (o.signal?.aborted) throw abortError();
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
      throw await fail(`did not become healthy within ${Math.round(o.timeoutMs / 1000)}s (state ${st.Status}, health ${health ?? 'none'})`);
    }
    await pause(plan.hasHealthcheck ? 1000 : 300, o.signal);
  }
  // and it must answer from the host through its published port
  if (endpoint) {
    while (!(await portOpen(endpoint.host, endpoint.port, 2000))) {
      if (Date.now() > deadline) throw await fail(`is healthy but does not answer on ${endpoint.host}:${endpoint.port} from the host`);
      await pause(500, o.signal);
    }
  }
  emit({ service, phase: 'ready', message: `${plan.service} ready in ${Math.round((Date.now() - started) / 1000)}s`, percent: 100 });
}

/** Waits until a one-shot container exited with code 0. */
export async function waitCompleted(docker: Docker, plan: ContainerPlan, c: Docker.Container, o: HealthOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const st = (await c.inspect()).State;
    if (st.Status === 'exited') {
      if (st.ExitCode === 0) return;
      throw new StackError(`${plan.service} exited with code ${st.ExitCode}\n${await lastLogLines(docker, c.id, o.errorLogLines)}`, 'START_FAILED', { service: plan.service });
    }
    if (Date.now() > deadline) throw new StackError(`${plan.service} did not complete within ${Math.round(o.timeoutMs / 1000)}s`, 'START_FAILED', { service: plan.service });
    await pause(500, o.signal);
  }
}

/** Maps an inspect result to the provider-neutral status. */
export function statusFromInspect(name: ServiceName, info: Docker.ContainerInspectInfo, endpoint?: string): ServiceStatus {
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
