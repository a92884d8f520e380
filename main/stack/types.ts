import type { Config } from '../../engine/shared/config';
import type { StackProviderId } from '../../engine/shared/config-checks';
import type { ProgressEvent, ServiceName, ServiceState, ServiceStatus } from '../control/control-wire';

/** The three services every stack provides, their states and status: defined once, with the control server's wire shapes. */
export type { ProgressEvent, ServiceName, ServiceState, ServiceStatus };
export const SERVICE_NAMES: readonly ServiceName[] = ['kafka', 'cassandra', 'redis'];

export type ProviderId = StackProviderId;

export interface StackStatus {
  provider: ProviderId;
  services: ServiceStatus[];
}

export interface ServiceLogLine {
  service: ServiceName;
  stream: 'stdout' | 'stderr';
  /** ISO timestamp */
  time: string;
  line: string;
}

/** What the engine needs to reach a running stack. */
export interface StackEndpoints {
  kafkaBrokers: string[];
  cassandraContactPoints: string[];
  cassandraLocalDc: string;
  redisUrl: string;
}

export interface UpOptions {
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
}

export interface DownOptions {
  /** also delete data (volumes / native data dir) */
  volumes?: boolean;
  onProgress?: (e: ProgressEvent) => void;
}

export interface LogOptions {
  follow?: boolean;
  /** last N lines before following */
  tail?: number;
  signal?: AbortSignal;
}

export interface Disposable {
  dispose(): void | Promise<void>;
}

/**
 * One way of running Kafka, Cassandra and Redis. `up` is idempotent and
 * resolves only when every service really answers.
 */
export interface StackProvider {
  readonly id: ProviderId;
  up(opts?: UpOptions): Promise<StackEndpoints>;
  down(opts?: DownOptions): Promise<void>;
  status(): Promise<StackStatus>;
  /** endpoints without starting anything */
  endpoints(): StackEndpoints;
  /** service log lines; with follow, keeps calling onLine until disposed or aborted */
  logs(service: ServiceName, onLine: (l: ServiceLogLine) => void, opts?: LogOptions): Promise<Disposable>;
}

export type ProviderFactory = (config: Config) => StackProvider;
