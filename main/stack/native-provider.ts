import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeStackDir } from '../../engine/shared/app-paths';
import type { Config } from '../../engine/shared/config';
import { configEndpoints } from './external-provider';
import { fetchMavenJars } from './native-jars';
import { exitReport, followFile, tailFile } from './native-logs';
import { stopPid } from './native-processes';
import { CASSANDRA_DIRS, cassandraArgs, fillTemplate, formatKafkaStorage, jvmOptions, livePid, spawnDetached } from './native-service';
import { requireJava, requireProgram } from './prereqs';
import { portTaken, probeCassandra, probeKafka, probeRedis, redisHostPort, splitHostPort, waitFor } from './probes';
import type { ProbeResult } from './probes';
import { StackError } from './stack-error';
import type {
  Disposable,
  DownOptions,
  LogOptions,
  ProgressEvent,
  ServiceLogLine,
  ServiceName,
  ServiceStatus,
  StackEndpoints,
  StackProvider,
  StackStatus,
  UpOptions,
} from './types';

export const KAFKA_VERSION = '3.9.1';
export const CASSANDRA_VERSION = '5.0.6';

export interface NativeProviderOptions {
  /** where the poms and config templates live (default: the repo's stack/native) */
  stackDir?: string;
  env?: NodeJS.ProcessEnv;
  /** how long each service may take to answer after start (default 240 s) */
  startTimeoutMs?: number;
  /** how long a service may take to stop after SIGTERM before SIGKILL (default 45 s) */
  stopTimeoutMs?: number;
}

/** Where one native service listens and keeps its data. */
interface NativeServicePlan {
  name: ServiceName;
  host: string;
  port: number;
  /** further ports the service binds (Kafka controller, Cassandra storage) */
  extraPorts: number[];
  dir: string;
  endpoint: string;
}

/**
 * The native stack: Kafka (KRaft) and Cassandra as Java processes from jars
 * fetched from Maven Central once, and `redis-server` from the OS. Processes
 * are detached and remembered in pid files, so `status`/`down` work from
 * another process; data stays under `$TOPK_DATA_DIR/native/`.
 */
export class NativeStackProvider implements StackProvider {
  readonly id = 'native' as const;
  readonly root: string;
  private readonly stackDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly startTimeoutMs: number;
  private readonly stopTimeoutMs: number;

  constructor(
    private readonly config: Config,
    opts: NativeProviderOptions = {},
  ) {
    this.root = join(config.dataDir, 'native');
    this.stackDir = opts.stackDir ?? nativeStackDir();
    this.env = opts.env ?? process.env;
    this.startTimeoutMs = opts.startTimeoutMs ?? 240_000;
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 45_000;
  }

  endpoints(): StackEndpoints {
    return configEndpoints(this.config);
  }

  /** Host/ports of each service, from the config endpoints. */
  plan(): Record<ServiceName, NativeServicePlan> {
    const k = splitHostPort(this.config.kafkaBrokers[0] ?? '127.0.0.1:9092', 9092);
    const c = splitHostPort(this.config.cassandraContactPoints[0] ?? '127.0.0.1:9042', 9042);
    const r = redisHostPort(this.config.redisUrl);
    return {
      kafka: { name: 'kafka', ...k, extraPorts: [k.port + 1], dir: join(this.root, 'kafka'), endpoint: `${k.host}:${k.port}` },
      cassandra: { name: 'cassandra', ...c, extraPorts: [cassandraStoragePort(c.port)], dir: join(this.root, 'cassandra'), endpoint: `${c.host}:${c.port}` },
      redis: { name: 'redis', ...r, extraPorts: [], dir: join(this.root, 'redis'), endpoint: `${r.host}:${r.port}` },
    };
  }

  libDir(name: 'kafka' | 'cassandra'): string {
    return join(this.root, 'lib', `${name}-${name === 'kafka' ? KAFKA_VERSION : CASSANDRA_VERSION}`);
  }

  private logFile(name: ServiceName): string {
    return join(this.root, 'logs', `${name}.log`);
  }

  private pidFile(name: ServiceName): string {
    return join(this.root, 'run', `${name}.pid`);
  }

  async up(opts: UpOptions = {}): Promise<StackEndpoints> {
    const progress = opts.onProgress ?? (() => undefined);
    const plan = this.plan();
    for (const d of ['lib', 'logs', 'run', 'conf']) mkdirSync(join(this.root, d), { recursive: true });

    // 1. which services are already ours and alive; any port held by someone else is an error
    const running = new Set<ServiceName>();
    for (const svc of Object.values(plan)) {
      if (this.ownPid(svc.name) !== undefined) {
        running.add(svc.name);
        progress({ service: svc.name, phase: 'start', message: `${svc.name} already running (pid ${this.ownPid(svc.name)}), reusing it` });
        continue;
      }
      for (const port of [svc.port, ...svc.extraPorts]) {
        const taken = await portTaken(svc.host, port);
        if (taken) {
          throw new StackError(
            `port ${port} (${svc.name}) ${taken}; stop it or configure other ports (e.g. TOPK_${svc.name === 'kafka' ? 'KAFKA_BROKERS' : svc.name === 'cassandra' ? 'CASSANDRA_CONTACT_POINTS' : 'REDIS_URL'})`,
            'PORT_IN_USE',
            { fix: `ss -tanp 'sport = :${port}'   # shows the sockets holding port ${port}` },
          );
        }
      }
    }

    try {
      // 2. prerequisites
      const needJava = !running.has('kafka') || !running.has('cassandra');
      const java = needJava ? await requireJava(this.env) : '';
      const redisServer = running.has('redis') ? '' : requireProgram('redis-server', this.env);

      // 3. jars (cached under native/lib/<name>-<version>)
      if (!running.has('kafka')) await this.fetchJars('kafka', progress, opts.signal);
      if (!running.has('cassandra')) await this.fetchJars('cassandra', progress, opts.signal);

      // 4. start what is not running
      if (!running.has('redis')) this.startRedis(plan.redis, redisServer, progress);
      if (!running.has('kafka')) await this.startKafka(plan.kafka, java, progress);
      if (!running.has('cassandra')) this.startCassandra(plan.cassandra, java, progress);

      // 5. wait until each really answers
      const waits: [ServiceName, () => Promise<ProbeResult>][] = [
        ['redis', () => probeRedis(this.config.redisUrl)],
        ['kafka', () => probeKafka(this.config.kafkaBrokers.slice(0, 1), 4000)],
        ['cassandra', () => probeCassandra(this.config.cassandraContactPoints.slice(0, 1), this.config.cassandraLocalDc, 4000)],
      ];
      const results = await Promise.allSettled(
        waits.map(async ([name, probe]) => {
          progress({ service: name, phase: 'wait', message: `waiting for ${name} on ${plan[name].endpoint}` });
          let lastReport = 0;
          const res = await waitFor(name, probe, {
            timeoutMs: this.startTimeoutMs,
            intervalMs: name === 'redis' ? 200 : 1000,
            signal: opts.signal,
            failFast: () => (this.ownPid(name) === undefined ? `the ${name} process exited; ${exitReport(this.logFile(name), 15)}` : undefined),
            onWaiting: (elapsed) => {
              if (elapsed - lastReport >= 10_000) {
                lastReport = elapsed;
                progress({ service: name, phase: 'wait', message: `still waiting for ${name} (${Math.round(elapsed / 1000)} s)` });
              }
            },
          });
          progress({ service: name, phase: 'ready', message: `${name} answers on ${plan[name].endpoint}${res.version ? ` (version ${res.version})` : ''}` });
        }),
      );
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      if (failed.length > 0) {
        progress({ service: 'stack', phase: 'error', message: failed.join('\n') });
        throw new StackError(`native stack did not come up:\n${failed.join('\n')}`, 'START_FAILED');
      }
    } catch (err) {
      // leave nothing half-started behind; what was already running stays
      await this.stopServices(['kafka', 'cassandra', 'redis'].filter((n) => !running.has(n as ServiceName)) as ServiceName[], progress);
      throw err;
    }
    progress({ service: 'stack', phase: 'ready', message: 'native stack is up' });
    return this.endpoints();
  }

  async down(opts: DownOptions = {}): Promise<void> {
    const progress = opts.onProgress ?? (() => undefined);
    await this.stopServices(['kafka', 'cassandra', 'redis'], progress);
    if (opts.volumes) {
      for (const name of ['kafka', 'cassandra', 'redis', 'logs', 'conf']) {
        progress({ service: 'stack', phase: 'remove', message: `removing ${join(this.root, name)}` });
        rmSync(join(this.root, name), { recursive: true, force: true });
      }
    }
  }

  private async stopServices(names: ServiceName[], progress: (e: ProgressEvent) => void): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const pid = this.ownPid(name);
        if (pid === undefined) {
          rmSync(this.pidFile(name), { force: true });
          return;
        }
        progress({ service: name, phase: 'stop', message: `stopping ${name} (pid ${pid})` });
        const how = await stopPid(pid, this.stopTimeoutMs);
        rmSync(this.pidFile(name), { force: true });
        progress({ service: name, phase: 'stop', message: `${name} stopped${how === 'killed' ? ' (had to SIGKILL)' : ''}` });
      }),
    );
  }

  async status(): Promise<StackStatus> {
    const plan = this.plan();
    const services = await Promise.all(
      (['kafka', 'cassandra', 'redis'] as const).map(async (name): Promise<ServiceStatus> => {
        const svc = plan[name];
        const pid = this.ownPid(name);
        if (pid === undefined) {
          return { name, state: existsSync(svc.dir) ? 'stopped' : 'absent', endpoint: svc.endpoint, health: 'none' };
        }
        const probe =
          name === 'redis'
            ? await probeRedis(this.config.redisUrl, 1500)
            : name === 'kafka'
              ? await probeKafka(this.config.kafkaBrokers.slice(0, 1), 3000)
              : await probeCassandra(this.config.cassandraContactPoints.slice(0, 1), this.config.cassandraLocalDc, 3000);
        const startedAt = statSync(this.pidFile(name)).mtime;
        return {
          name,
          state: probe.ok ? 'running' : 'starting',
          health: probe.ok ? 'healthy' : 'starting',
          endpoint: svc.endpoint,
          pid,
          startedAt: startedAt.toISOString(),
          uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
          version: probe.version ?? (name === 'kafka' ? KAFKA_VERSION : name === 'cassandra' ? CASSANDRA_VERSION : undefined),
          detail: probe.ok ? undefined : probe.detail,
        };
      }),
    );
    return { provider: 'native', services };
  }

  async logs(service: ServiceName, onLine: (l: ServiceLogLine) => void, opts: LogOptions = {}): Promise<Disposable> {
    const file = this.logFile(service);
    const emit = (line: string) => onLine({ service, stream: 'stdout', time: new Date().toISOString(), line });
    for (const line of tailFile(file, opts.tail ?? 100).split('\n')) if (line) emit(line);
    if (!opts.follow) return { dispose: () => undefined };
    return followFile(file, emit, opts.signal);
  }

  /** The last `n` lines of a service's log file. */
  tail(name: ServiceName, n: number): string {
    return tailFile(this.logFile(name), n);
  }

  /** pid of our live process for `name`, or undefined (stale pid files are ignored). */
  ownPid(name: ServiceName): number | undefined {
    return livePid(this.pidFile(name), this.plan()[name].dir);
  }

  /** Copies the component's jars from Maven Central into native/lib/<name>-<version>, once. */
  fetchJars(name: 'kafka' | 'cassandra', progress: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<string> {
    return fetchMavenJars(name, { dest: this.libDir(name), workRoot: join(this.root, 'lib'), pom: join(this.stackDir, name, 'pom.xml'), env: this.env }, progress, signal);
  }

  private fill(template: string, vars: Record<string, string | number>): string {
    return fillTemplate(this.stackDir, template, vars);
  }

  private jvmOptions(name: 'kafka' | 'cassandra'): string[] {
    return jvmOptions(this.stackDir, name);
  }

  /** Starts a detached process with stdout+stderr appended to the service log; remembers its pid. */
  private spawnService(name: ServiceName, cmd: string, args: string[], cwd: string): number {
    return spawnDetached({ cmd, args, cwd, env: this.env, logFile: this.logFile(name), pidFile: this.pidFile(name) });
  }

  private startRedis(svc: NativeServicePlan, bin: string, progress: (e: ProgressEvent) => void): void {
    mkdirSync(svc.dir, { recursive: true });
    const pid = this.spawnService(
      'redis',
      bin,
      ['--bind', svc.host, '--port', String(svc.port), '--dir', svc.dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no', '--protected-mode', 'yes', '--logfile', ''],
      svc.dir,
    );
    progress({ service: 'redis', phase: 'start', message: `started redis-server on ${svc.endpoint} (pid ${pid})` });
  }

  private async startKafka(svc: NativeServicePlan, java: string, progress: (e: ProgressEvent) => void): Promise<void> {
    const dataDir = join(svc.dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const props = join(this.root, 'conf', 'kafka-server.properties');
    const controllerPort = svc.extraPorts[0] ?? svc.port + 1;
    writeFileSync(props, this.fill('kafka/server.properties', { ...singleKafkaNode(svc.host, controllerPort), HOST: svc.host, PORT: svc.port, CONTROLLER_PORT: controllerPort, LOG_DIRS: dataDir }));
    const log4j = join(this.root, 'conf', 'kafka-log4j.properties');
    copyFileSync(join(this.stackDir, 'kafka', 'log4j.properties'), log4j);
    const classpath = `${this.libDir('kafka')}/*`;
    const common = [`-Dlog4j.configuration=file:${log4j}`, '-cp', classpath];
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      progress({ service: 'kafka', phase: 'create', message: 'formatting Kafka storage (KRaft)' });
      await formatKafkaStorage(java, common, kafkaClusterId(), props, svc.dir, this.env, this.logFile('kafka')).catch((err: Error) => {
        throw new StackError(`${err.message}:\n${this.tail('kafka', 15)}`, 'START_FAILED');
      });
    }
    const pid = this.spawnService('kafka', java, [...this.jvmOptions('kafka'), ...common, 'kafka.Kafka', props], svc.dir);
    progress({ service: 'kafka', phase: 'start', message: `started Kafka ${KAFKA_VERSION} on ${svc.endpoint} (pid ${pid})` });
  }

  private startCassandra(svc: NativeServicePlan, java: string, progress: (e: ProgressEvent) => void): void {
    const dataDir = svc.dir;
    for (const d of CASSANDRA_DIRS) mkdirSync(join(dataDir, d), { recursive: true });
    const yaml = join(this.root, 'conf', 'cassandra.yaml');
    const storagePort = svc.extraPorts[0] ?? 7000;
    // one node: it listens for peers on 127.0.0.1, is its own seed and owns the whole ring
    writeFileSync(yaml, this.fill('cassandra/cassandra.yaml', { HOST: svc.host, PORT: svc.port, STORAGE_PORT: storagePort, DATA_DIR: dataDir, LISTEN: '127.0.0.1', SEEDS: `127.0.0.1:${storagePort}`, INITIAL_TOKEN: 0, HINTS: 'false', DYNAMIC_SNITCH: 'false' }));
    const logback = join(this.root, 'conf', 'cassandra-logback.xml');
    copyFileSync(join(this.stackDir, 'cassandra', 'logback.xml'), logback);
    const lib = this.libDir('cassandra');
    const args = cassandraArgs({ jvm: this.jvmOptions('cassandra'), lib, yaml, dataDir, logDir: join(this.root, 'logs'), logback, confDir: join(this.root, 'conf') });
    const pid = this.spawnService('cassandra', java, args, svc.dir);
    progress({ service: 'cassandra', phase: 'start', message: `started Cassandra ${CASSANDRA_VERSION} on ${svc.endpoint} (pid ${pid}); the first start takes a minute` });
  }
}

/** Cassandra's inter-node port: 7000 beside the default CQL port 9042, else one above the CQL port. */
export function cassandraStoragePort(cqlPort: number): number {
  return cqlPort === 9042 ? 7000 : cqlPort + 1;
}

/** server.properties values of a one-node Kafka: node 1, its own controller quorum, replication 1. */
export function singleKafkaNode(host: string, controllerPort: number): Record<string, string | number> {
  return { NODE_ID: 1, VOTERS: `1@${host}:${controllerPort}`, REPLICATION: 1, MIN_ISR: 1 };
}

/** A Kafka cluster id: 16 random bytes, base64url (22 chars), not starting with '-'. */
export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function createNativeProvider(config: Config, opts?: NativeProviderOptions): NativeStackProvider {
  return new NativeStackProvider(config, opts);
}
