import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { saveConfigSetting } from '../../engine/shared/config';
import { STACK_PROVIDER_IDS } from '../../engine/shared/config-checks';
import type { Config } from '../../engine/shared/config';
import { createExternalProvider } from './external-provider';
import { NativeClusterProvider } from './native-cluster';
import { createNativeProvider } from './native-provider';
import type { Disposable, ProviderId, StackProvider } from './types';

export const PROVIDER_IDS: readonly ProviderId[] = STACK_PROVIDER_IDS;

export function isProviderId(s: string): s is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(s);
}

export class UnknownProviderError extends Error {
  constructor(readonly requested: string) {
    super(`unknown provider "${requested}" (expected one of: ${PROVIDER_IDS.join(', ')})`);
    this.name = 'UnknownProviderError';
  }
}

export type AsyncProviderFactory = (config: Config) => StackProvider | Promise<StackProvider>;

/** What the docker provider module (main/stack/docker-provider.ts) exports. */
export interface DockerModule {
  createDockerProvider(config: Config, opts?: { composeFiles?: string[] }): StackProvider;
  dockerEngineAnswers(): Promise<boolean>;
}

/**
 * The docker provider is loaded on demand: it pulls in dockerode, and the
 * rest of the stack code must work on machines (and checkouts) without it.
 */
export async function loadDockerModule(): Promise<DockerModule | undefined> {
  try {
    // a literal specifier, so the desktop bundle (esbuild) includes the provider
    return (await import('./docker-provider')) as DockerModule;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

/** Where a Docker engine would be reached: DOCKER_HOST, else the default socket. */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_HOST) return `DOCKER_HOST=${env.DOCKER_HOST}`;
  const sock = process.platform === 'win32' ? '//./pipe/docker_engine' : '/var/run/docker.sock';
  return existsSync(sock) || process.platform === 'win32' ? sock : `${sock} (missing)`;
}

export interface ProviderChoice {
  id: ProviderId;
  reason: string;
  /** requested (--provider), saved (config.json / TOPK_STACK_PROVIDER) or auto (whether a Docker engine answers) */
  how: 'requested' | 'saved' | 'auto';
}

export interface StackManagerOptions {
  env?: NodeJS.ProcessEnv;
  /** how to ask whether a Docker engine answers (default: the docker provider module's check) */
  dockerAnswers?: () => Promise<boolean>;
  /** docker provider: override files merged over stack/compose.yml (`--compose-file`) */
  composeFiles?: string[];
  /** Kafka brokers and Cassandra nodes: 1 (default) or a cluster (`--nodes N`, native provider) */
  nodes?: number;
}

/**
 * The registry of stack providers, by id, and the default choice: `docker`
 * when a Docker engine answers (socket or DOCKER_HOST), else `native`.
 */
export class StackManager {
  private readonly factories = new Map<ProviderId, AsyncProviderFactory>();
  private readonly instances = new Map<ProviderId, StackProvider>();
  private readonly env: NodeJS.ProcessEnv;
  private saved: ProviderId | undefined;

  constructor(
    readonly config: Config,
    private readonly opts: StackManagerOptions = {},
  ) {
    this.env = opts.env ?? process.env;
    this.saved = config.stackProvider;
    const nodes = opts.nodes ?? 1;
    this.register('native', (c) => (nodes > 1 ? new NativeClusterProvider(c, { nodes, env: this.env }) : createNativeProvider(c, { env: this.env })));
    this.register('external', (c) => createExternalProvider(c));
    this.register('docker', async (c) => {
      const mod = await loadDockerModule();
      if (!mod) throw new Error('the docker provider is not available in this build (main/stack/docker-provider.ts is missing)');
      return mod.createDockerProvider(c, { composeFiles: this.opts.composeFiles });
    });
  }

  /** Adds or replaces a provider; disposing the result removes it again. */
  register(id: ProviderId, factory: AsyncProviderFactory): Disposable {
    this.factories.set(id, factory);
    this.instances.delete(id);
    return {
      dispose: () => {
        if (this.factories.get(id) === factory) {
          this.factories.delete(id);
          this.instances.delete(id);
        }
      },
    };
  }

  ids(): ProviderId[] {
    return [...this.factories.keys()];
  }

  async provider(id: string): Promise<StackProvider> {
    if (!isProviderId(id)) throw new UnknownProviderError(id);
    const existing = this.instances.get(id);
    if (existing) return existing;
    const factory = this.factories.get(id);
    if (!factory) throw new UnknownProviderError(id);
    const p = await factory(this.config);
    this.instances.set(id, p);
    return p;
  }

  /**
   * The provider to use: the requested one, else the one saved in config.json (`stackProvider`,
   * remembered by a fallback or a switch on the Stack page), else docker when an engine answers,
   * else native.
   */
  async choose(requested?: string): Promise<ProviderChoice> {
    if (requested !== undefined) {
      if (!isProviderId(requested) || !this.factories.has(requested)) throw new UnknownProviderError(requested);
      return { id: requested, reason: `requested with --provider ${requested}`, how: 'requested' };
    }
    if (this.saved && this.factories.has(this.saved)) {
      return { id: this.saved, reason: `the provider chosen earlier ("stackProvider": "${this.saved}" in ${join(this.config.dataDir, 'config.json')})`, how: 'saved' };
    }
    const where = dockerEndpoint(this.env);
    if (await this.dockerAnswers()) return { id: 'docker', reason: `a Docker engine answers at ${where}`, how: 'auto' };
    return { id: 'native', reason: `no Docker engine answers at ${where}, so Kafka and Cassandra run as Java processes and redis-server from the OS`, how: 'auto' };
  }

  /** The provider saved in config.json, if any. */
  savedProvider(): ProviderId | undefined {
    return this.saved;
  }

  /** Saves the provider `choose()` picks from now on (config.json `stackProvider`). */
  remember(id: ProviderId): void {
    if (!isProviderId(id)) throw new UnknownProviderError(id);
    saveConfigSetting(this.config.dataDir, 'stackProvider', id);
    this.saved = id;
  }

  async select(requested?: string): Promise<StackProvider> {
    return this.provider((await this.choose(requested)).id);
  }

  private async dockerAnswers(): Promise<boolean> {
    try {
      if (this.opts.dockerAnswers) return await this.opts.dockerAnswers();
      const mod = await loadDockerModule();
      return mod ? await mod.dockerEngineAnswers() : false;
    } catch {
      return false;
    }
  }
}
