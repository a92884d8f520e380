/**
 * Stack up with one fallback: when the docker provider was picked automatically (an engine
 * answers) but that engine cannot pull the stack's images (offline, behind a proxy it is not
 * configured for) and the native provider can run here, start the native provider instead,
 * say so in one line, and remember the choice in config.json so the next start goes straight
 * to it. Anything else fails as it did.
 */
import { join } from 'node:path';
import { StackError } from './stack-error';
import type { ProviderChoice, StackManager } from './stack-manager';
import type { StackEndpoints, StackProvider, UpOptions } from './types';

/** Whether the native provider can run here, and if not why (the doctor's verdict). */
export type NativeVerdict = () => Promise<{ usable: boolean; why: string }>;

export interface StackUpResult {
  provider: StackProvider;
  choice: ProviderChoice;
  endpoints: StackEndpoints;
}

/** True for the one failure the fallback handles. */
export function cannotPullImages(choice: ProviderChoice, err: unknown): err is StackError {
  return choice.how === 'auto' && choice.id === 'docker' && err instanceof StackError && err.code === 'IMAGE_UNAVAILABLE';
}

export async function upWithNativeFallback(manager: StackManager, choice: ProviderChoice, nativeVerdict: NativeVerdict, up: UpOptions = {}): Promise<StackUpResult> {
  const provider = await manager.provider(choice.id);
  try {
    return { provider, choice, endpoints: await provider.up(up) };
  } catch (err) {
    if (!cannotPullImages(choice, err)) throw err;
    // containers whose images were local may have started: they would hold the ports native needs
    await provider.down({}).catch(() => undefined);
    const verdict = await nativeVerdict();
    if (!verdict.usable) throw new StackError(`${err.message}\nthe native provider cannot run here either: ${verdict.why}`, err.code, { fix: err.fix, images: err.images });
    manager.remember('native');
    const images = err.images ? `${err.images.refs.join(', ')} (${err.images.reason})` : 'the stack images';
    const message = `the Docker engine cannot pull ${images}: using the native provider instead (Kafka and Cassandra as Java processes, redis-server from the OS), remembered as "stackProvider": "native" in ${join(manager.config.dataDir, 'config.json')}; the Stack page or --provider docker switches back`;
    up.onProgress?.({ service: 'stack', phase: 'start', message });
    const native = await manager.provider('native');
    return { provider: native, choice: { id: 'native', how: 'saved', reason: message }, endpoints: await native.up(up) };
  }
}
