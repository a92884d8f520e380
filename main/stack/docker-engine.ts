/**
 * What every part of the docker provider needs from the Engine API: whether it answers,
 * its errors in words, and the containers of a compose project (found by label).
 */
import Docker from 'dockerode';
import type { ComposeProject } from './compose-file';
import { PROJECT_LABEL, SERVICE_LABEL } from './compose-translate';
import { StackError } from './stack-error';

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

/** The HTTP status of an Engine API error (404 no such thing, 304 already in that state). */
export function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

/** The engine's own words for an error. */
export function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; reason?: string; message?: string };
  return e?.json?.message ?? e?.message ?? String(err);
}

/** Runs an engine call; an engine that cannot be reached becomes a StackError that says what to do. */
export async function engineCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
      throw new StackError(`cannot reach the Docker engine (${code}) while trying to ${what}: start Docker (or set DOCKER_HOST), or use --provider native`, 'ENGINE_UNREACHABLE');
    }
    throw err;
  }
}

/** Engine list filter: everything of the project, or of one of its services. */
export function labelFilter(project: ComposeProject, service?: string): string {
  return JSON.stringify({ label: [`${PROJECT_LABEL}=${project.name}`, ...(service ? [`${SERVICE_LABEL}=${service}`] : [])] });
}

/** The project's container of `service`, running or not. */
export async function findContainer(docker: Docker, project: ComposeProject, service: string): Promise<Docker.ContainerInfo | undefined> {
  const list = await engineCall('list containers', () => docker.listContainers({ all: true, filters: labelFilter(project, service) }));
  return list[0];
}
