import type { Config } from '../../engine/shared/config';
import { probeCassandra, probeKafka, probeRedis, redisHostPort, waitFor } from './probes';
import type { ProbeResult } from './probes';
import { StackError } from './stack-error';
import type { Disposable, DownOptions, LogOptions, ServiceLogLine, ServiceName, ServiceStatus, StackEndpoints, StackProvider, StackStatus, UpOptions } from './types';

export interface ExternalProviderOptions {
  /** how long `up` waits for the given services to answer (default 60 s) */
  timeoutMs?: number;
}

/** The endpoints the config names (what the external and native providers serve). */
export function configEndpoints(config: Config): StackEndpoints {
  return {
    kafkaBrokers: [...config.kafkaBrokers],
    cassandraContactPoints: [...config.cassandraContactPoints],
    cassandraLocalDc: config.cassandraLocalDc,
    redisUrl: config.redisUrl,
  };
}

/**
 * Existing clusters, used as given: `TOPK_KAFKA_BROKERS` (several brokers),
 * `TOPK_CASSANDRA_CONTACT_POINTS` (several contact points), `TOPK_REDIS_URL`.
 * Nothing is started or stopped; `up` only waits until each answers.
 */
export class ExternalStackProvider implements StackProvider {
  readonly id = 'external' as const;
  private readonly timeoutMs: number;

  constructor(
    private readonly config: Config,
    opts: ExternalProviderOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  endpoints(): StackEndpoints {
    return configEndpoints(this.config);
  }

  private probe(name: ServiceName, timeoutMs: number): Promise<ProbeResult> {
    const e = this.endpoints();
    if (name === 'kafka') return probeKafka(e.kafkaBrokers, timeoutMs);
    if (name === 'cassandra') return probeCassandra(e.cassandraContactPoints, e.cassandraLocalDc, timeoutMs);
    return probeRedis(e.redisUrl, timeoutMs);
  }

  private where(name: ServiceName): string {
    const e = this.endpoints();
    if (name === 'kafka') return e.kafkaBrokers.join(',');
    if (name === 'cassandra') return e.cassandraContactPoints.join(',');
    const { host, port } = redisHostPort(e.redisUrl);
    return `${host}:${port}`;
  }

  async up(opts: UpOptions = {}): Promise<StackEndpoints> {
    const progress = opts.onProgress ?? (() => undefined);
    const names: ServiceName[] = ['kafka', 'cassandra', 'redis'];
    const results = await Promise.allSettled(
      names.map(async (name) => {
        progress({ service: name, phase: 'wait', message: `waiting for external ${name} at ${this.where(name)}` });
        const r = await waitFor(`external ${name} at ${this.where(name)}`, () => this.probe(name, 5000), { timeoutMs: this.timeoutMs, intervalMs: 1000, signal: opts.signal });
        progress({ service: name, phase: 'ready', message: `${name} answers at ${this.where(name)}${r.version ? ` (version ${r.version})` : ''}` });
      }),
    );
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failed.length) throw new StackError(`external stack is not reachable:\n${failed.join('\n')}`, 'UNREACHABLE');
    return this.endpoints();
  }

  async down(opts: DownOptions = {}): Promise<void> {
    opts.onProgress?.({ service: 'stack', phase: 'stop', message: 'external stack: nothing to stop (these services are not run by Heavy Rotation)' });
    return Promise.resolve();
  }

  async status(): Promise<StackStatus> {
    const services = await Promise.all(
      (['kafka', 'cassandra', 'redis'] as const).map(async (name): Promise<ServiceStatus> => {
        const r = await this.probe(name, 3000);
        return {
          name,
          state: r.ok ? 'running' : 'unhealthy',
          health: r.ok ? 'healthy' : 'unhealthy',
          endpoint: this.where(name),
          version: r.version,
          detail: r.ok ? undefined : r.detail,
        };
      }),
    );
    return { provider: 'external', services };
  }

  logs(service: ServiceName, onLine: (l: ServiceLogLine) => void, _opts: LogOptions = {}): Promise<Disposable> {
    onLine({ service, stream: 'stderr', time: new Date().toISOString(), line: `logs of the external ${service} at ${this.where(service)} are not available to Heavy Rotation` });
    return Promise.resolve({ dispose: () => undefined });
  }
}

export function createExternalProvider(config: Config, opts?: ExternalProviderOptions): ExternalStackProvider {
  return new ExternalStackProvider(config, opts);
}
