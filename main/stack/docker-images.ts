/**
 * Images for the docker provider: use the local one, else pull it with progress.
 */
import type Docker from 'dockerode';
import type { ContainerPlan } from './compose-translate';
import { engineCall, engineMessage, statusCode } from './docker-engine';
import { PullProgress } from './docker-streams';
import type { PullEvent } from './docker-streams';
import { StackError, abortError } from './stack-error';
import type { ProgressEvent, ServiceName } from './types';

/** `redis` → `redis:latest`; refs with a tag or digest unchanged. */
export function withTag(image: string): string {
  const lastSlash = image.lastIndexOf('/');
  const name = image.slice(lastSlash + 1);
  return name.includes(':') || name.includes('@') ? image : `${image}:latest`;
}

const mib = (n: number) => (n / 1024 / 1024).toFixed(1);

/** One image that is neither local nor pullable; `up` folds several into one message (imagesUnavailable). */
export class ImagePullError extends StackError {
  constructor(
    readonly ref: string,
    readonly why: string,
    service: string,
  ) {
    super(`image ${ref} is not available locally and could not be pulled (${why})`, 'IMAGE_UNAVAILABLE', { service, fix: `docker pull ${ref}` });
  }
}

function pullError(ref: string, why: string, service: string): ImagePullError {
  return new ImagePullError(ref, why.trim(), service);
}

/**
 * The failed pulls of one `up` as one error: each image once with the engine's reason, the
 * reason once when every pull failed alike (an offline engine, a proxy), and the fix once.
 */
export function imagesUnavailable(errors: ImagePullError[]): StackError {
  const refs = errors.map((e) => e.ref);
  const reasons = new Set(errors.map((e) => e.why));
  const list = reasons.size === 1 ? `${refs.join(', ')} (${errors[0]?.why ?? ''})` : errors.map((e) => `\n  ${e.ref}: ${e.why}`).join('');
  const howToFix = 'connect the Docker engine to a registry (internet, or its proxy settings) and run "topk stack up" again, make the images available locally (docker load / docker build), or use the native provider (--provider native)';
  return new StackError(
    `the Docker engine does not have ${refs.length === 1 ? 'an image' : `${refs.length} images`} of the stack and cannot pull ${refs.length === 1 ? 'it' : 'them'}: ${list}\n${howToFix}`,
    'IMAGE_UNAVAILABLE',
    { fix: refs.map((r) => `docker pull ${r}`).join(' && '), images: { refs, reason: reasons.size === 1 ? (errors[0]?.why ?? '') : `${reasons.size} different reasons` } },
  );
}

/** Pulls the plan's image, reporting progress at most every 250 ms. */
export async function pullImage(docker: Docker, plan: ContainerPlan, emit: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<void> {
  const ref = withTag(plan.image);
  const service = plan.service as ServiceName;
  emit({ service, phase: 'pull', message: `pulling ${ref}`, percent: 0 });
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(ref);
  } catch (err) {
    throw pullError(ref, engineMessage(err), plan.service);
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
        if (err || failed) rej(pullError(ref, err?.message ?? failed?.errorDetail?.message ?? failed?.error ?? 'unknown error', plan.service));
        else res();
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

/** The id of the plan's image, pulled first when the engine does not have it. */
export async function ensureImage(docker: Docker, plan: ContainerPlan, emit: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<string> {
  const inspectId = async () => (await docker.getImage(plan.image).inspect()).Id;
  try {
    return await engineCall('inspect an image', inspectId);
  } catch (err) {
    if (err instanceof StackError || statusCode(err) !== 404) throw err;
  }
  await pullImage(docker, plan, emit, signal);
  return inspectId();
}
