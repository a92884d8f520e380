import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeStackDir } from '../../engine/shared/app-paths';
import type { Config } from '../../engine/shared/config';
import { exitReport, followFile, tailFile } from './native-logs';
import { waitCassandraRing, waitKafkaBrokers } from './native-cluster-checks';
import { cassandraNodeYaml, clusterPlan, kafkaNodeProperties, MAX_NODES } from './native-cluster-layout';
import type { ClusterNode, ClusterPlan } from './native-cluster-layout';
import { CASSANDRA_VERSION, KAFKA_VERSION, kafkaClusterId, NativeStackProvider } from './native-provider';
import { stopPid } from './native-processes';
import { CASSANDRA_DIRS, cassandraArgs, formatKafkaStorage, jvmOptions, livePid, spawnDetached } from './native-service';
import { requireJava, requireProgram } from './prereqs';
import { portTaken, probeCassandra, probeKafka, probeRedis, waitFor } from './probes';
import type { ProbeResult } from './probes';
import { StackError } from './stack-error';
import type { Disposable, DownOptions, LogOptions, ProgressEvent, ServiceLogLine, ServiceName, ServiceStatus, StackEndpoints, StackProvider, StackStatus, UpOptions } from './types';

export interface NativeClusterOptions {
  /** Kafka brokers and Cassandra nodes (2..9) */
  nodes: number;
  stackDir?: string;
  env?: NodeJS.ProcessEnv;
  /** how long each node may take to answer after its start (default 300 s) */
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** JVM heap of each node (defaults: Cassandra 768m, Kafka 256m; a cluster shares one machine) */
  cassandraHeap?: string;
  kafkaHeap?: string;
}

/**
 * A Kafka and Cassandra cluster on one machine, the way Cassandra's ccm lays nodes out: node i
 * on its own loopback address (the same ports on each), its own folder, config, log and pid
 * file under `$TOPK_DATA_DIR/native-cluster/`. Kafka nodes are KRaft brokers and controllers
 * of one quorum; Cassandra nodes start one after the other (a node joins while the others
 * answer), the first one is the seed. One Redis. Jars are the single-node provider's cache.
 */
export class NativeClusterProvider implements StackProvider {
  readonly id = 'native' as const;
  readonly root: string;
  readonly nodes: number;
  private readonly stackDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly startTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly single: NativeStackProvider;

  constructor(
    private readonly config: Config,
    private readonly opts: NativeClusterOptions,
  ) {
    if (!Number.isInteger(opts.nodes) || opts.nodes < 2 || opts.nodes > MAX_NODES) throw new StackError(`a cluster has 2 to ${MAX_NODES} nodes, got ${opts.nodes}`, 'CONFIG');
    this.nodes = opts.nodes;
    this.root = join(config.dataDir, 'native-cluster');
    this.stackDir = opts.stackDir ?? nativeStackDir();
    this.env = opts.env ?? process.env;
    this.startTimeoutMs = opts.startTimeoutMs ?? 300_000;
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 60_000;
    this.single = new NativeStackProvider(config, { stackDir: this.stackDir, env: this.env });
    this.plan(); // refuse a bad layout before anything starts
  }

  plan(): ClusterPlan {
    return clusterPlan(this.config, this.nodes, this.root);
  }

  endpoints(): StackEndpoints {
    const p = this.plan();
    return { kafkaBrokers: p.kafka.map((n) => n.endpoint), cassandraContactPoints: p.cassandra.map((n) => n.endpoint), cassandraLocalDc: this.config.cassandraLocalDc, redisUrl: this.config.redisUrl };
  }

  /** Every node, Kafka first. */
  allNodes(): ClusterNode[] {
    const p = this.plan();
    return [...p.kafka, ...p.cassandra];
  }

  node(id: string): ClusterNode {
    const n = this.allNodes().find((x) => x.id === id);
    if (!n) throw new StackError(`no node ${id} in this cluster (${this.allNodes().map((x) => x.id).join(', ')})`, 'CONFIG');
    return n;
  }

  private logFile(id: string): string {
    return join(this.root, 'logs', `${id}.log`);
  }

  private pidFile(id: string): string {
    return join(this.root, 'run', `${id}.pid`);
  }

  /** pid of the node's live process (or Redis's with id 'redis'), else undefined. */
  ownPid(id: string): number | undefined {
    const dir = id === 'redis' ? this.plan().redis.dir : this.node(id).dir;
    return livePid(this.pidFile(id), dir);
  }

  tail(id: string, n: number): string {
    return tailFile(this.logFile(id), n);
  }

  async up(opts: UpOptions = {}): Promise<StackEndpoints> {
    const progress = opts.onProgress ?? (() => undefined);
    const plan = this.plan();
    for (const d of ['logs', 'run']) mkdirSync(join(this.root, d), { recursive: true });
    const running = new Set<string>();
    for (const [id, host, ports, what] of [
      ['redis', plan.redis.host, [plan.redis.port], 'TOPK_REDIS_URL'] as const,
      ...this.allNodes().map((n) => [n.id, n.host, [n.port, n.peerPort], n.service === 'kafka' ? 'TOPK_KAFKA_BROKERS' : 'TOPK_CASSANDRA_CONTACT_POINTS'] as const),
    ]) {
      if (this.ownPid(id) !== undefined) {
        running.add(id);
        continue;
      }
      for (const port of ports) {
        const taken = await portTaken(host, port);
        if (taken) throw new StackError(`port ${host}:${port} (${id}) ${taken}; stop it or put the cluster elsewhere (${what})`, 'PORT_IN_USE', { fix: `ss -tanp 'sport = :${port}'` });
      }
    }
    const started: string[] = [];
    try {
      const java = await requireJava(this.env);
      if (!running.has('redis')) {
        const bin = requireProgram('redis-server', this.env);
        mkdirSync(plan.redis.dir, { recursive: true });
        const pid = spawnDetached({ cmd: bin, args: ['--bind', plan.redis.host, '--port', String(plan.redis.port), '--dir', plan.redis.dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no', '--protected-mode', 'yes', '--logfile', ''], cwd: plan.redis.dir, env: this.env, logFile: this.logFile('redis'), pidFile: this.pidFile('redis') });
        started.push('redis');
        progress({ service: 'redis', phase: 'start', message: `started redis-server on ${plan.redis.endpoint} (pid ${pid})` });
      }
      await this.single.fetchJars('kafka', progress, opts.signal);
      await this.single.fetchJars('cassandra', progress, opts.signal);
      // Kafka: every node is a voter of the controller quorum, which needs a majority, so all start together
      for (const n of plan.kafka) if (!running.has(n.id)) await this.startKafka(n, java, progress).then(() => started.push(n.id));
      await Promise.all(plan.kafka.map((n) => this.waitNode(n, progress, opts.signal)));
      await waitKafkaBrokers(plan.kafka, this.startTimeoutMs, opts.signal);
      progress({ service: 'kafka', phase: 'ready', message: `${plan.kafka.length} Kafka brokers in one cluster` });
      // Cassandra: one node after the other, each joining while the ones before it answer
      for (const n of plan.cassandra) {
        if (running.has(n.id)) continue;
        this.startCassandra(n, java, progress);
        started.push(n.id);
        await this.waitNode(n, progress, opts.signal);
      }
      await waitCassandraRing(plan.cassandra, this.config.cassandraLocalDc, this.startTimeoutMs, opts.signal);
      progress({ service: 'cassandra', phase: 'ready', message: `${plan.cassandra.length} Cassandra nodes see each other` });
      await waitFor('redis', () => probeRedis(this.config.redisUrl), { timeoutMs: 30_000, intervalMs: 200, signal: opts.signal });
    } catch (err) {
      progress({ service: 'stack', phase: 'error', message: (err as Error).message });
      await this.stopIds(started, progress);
      throw err;
    }
    progress({ service: 'stack', phase: 'ready', message: `native cluster of ${this.nodes} nodes is up` });
    return this.endpoints();
  }

  /** Starts one stopped node again (a fault suite's restart) and waits until it answers. */
  async startNode(id: string, onProgress: (e: ProgressEvent) => void = () => undefined): Promise<void> {
    const n = this.node(id);
    if (this.ownPid(id) !== undefined) return;
    const java = await requireJava(this.env);
    if (n.service === 'kafka') await this.startKafka(n, java, onProgress);
    else this.startCassandra(n, java, onProgress);
    await this.waitNode(n, onProgress);
  }

  /** Stops one node: SIGKILL (the fault) or SIGTERM with a SIGKILL fallback; resolves when it is gone. */
  async stopNode(id: string, how: 'term' | 'kill'): Promise<void> {
    const pid = this.ownPid(id);
    if (pid === undefined) return;
    if (how === 'kill') {
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 200 && this.ownPid(id) !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
    } else {
      await stopPid(pid, this.stopTimeoutMs);
    }
  }

  async down(opts: DownOptions = {}): Promise<void> {
    const progress = opts.onProgress ?? (() => undefined);
    await this.stopIds(['redis', ...this.allNodes().map((n) => n.id)], progress);
    if (opts.volumes) {
      progress({ service: 'stack', phase: 'remove', message: `removing ${this.root}` });
      rmSync(this.root, { recursive: true, force: true });
    }
  }

  private async stopIds(ids: string[], progress: (e: ProgressEvent) => void): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        const pid = this.ownPid(id);
        if (pid !== undefined) {
          const service = id === 'redis' ? 'redis' : this.node(id).service;
          progress({ service, phase: 'stop', message: `stopping ${id} (pid ${pid})` });
          const how = await stopPid(pid, this.stopTimeoutMs);
          progress({ service, phase: 'stop', message: `${id} stopped${how === 'killed' ? ' (had to SIGKILL)' : ''}` });
        }
        rmSync(this.pidFile(id), { force: true });
      }),
    );
  }

  async status(): Promise<StackStatus> {
    const plan = this.plan();
    const entries: [string, ServiceName, string, () => Promise<ProbeResult>, string | undefined][] = [
      ...plan.kafka.map((n) => [n.id, 'kafka', n.endpoint, () => probeKafka([n.endpoint], 3000), KAFKA_VERSION] as [string, ServiceName, string, () => Promise<ProbeResult>, string]),
      ...plan.cassandra.map((n) => [n.id, 'cassandra', n.endpoint, () => probeCassandra([n.endpoint], this.config.cassandraLocalDc, 3000), CASSANDRA_VERSION] as [string, ServiceName, string, () => Promise<ProbeResult>, string]),
      ['redis', 'redis', plan.redis.endpoint, () => probeRedis(this.config.redisUrl, 1500), undefined],
    ];
    const services = await Promise.all(
      entries.map(async ([id, name, endpoint, probe, version]): Promise<ServiceStatus> => {
        const pid = this.ownPid(id);
        if (pid === undefined) return { name, state: existsSync(join(this.root, id)) ? 'stopped' : 'absent', endpoint, health: 'none', detail: id };
        const res = await probe();
        const startedAt = statSync(this.pidFile(id)).mtime;
        return {
          name,
          state: res.ok ? 'running' : 'starting',
          health: res.ok ? 'healthy' : 'starting',
          endpoint,
          pid,
          startedAt: startedAt.toISOString(),
          uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
          version: res.version ?? version,
          detail: res.ok ? id : `${id}: ${res.detail ?? 'not answering yet'}`,
        };
      }),
    );
    return { provider: 'native', services };
  }

  async logs(service: ServiceName, onLine: (l: ServiceLogLine) => void, opts: LogOptions = {}): Promise<Disposable> {
    const ids = service === 'redis' ? ['redis'] : this.plan()[service].map((n) => n.id);
    const follows: Disposable[] = [];
    for (const id of ids) {
      const emit = (line: string) => onLine({ service, stream: 'stdout', time: new Date().toISOString(), line: `[${id}] ${line}` });
      for (const line of tailFile(this.logFile(id), opts.tail ?? 100).split('\n')) if (line) emit(line);
      if (opts.follow) follows.push(await followFile(this.logFile(id), emit, opts.signal));
    }
    return { dispose: async () => void (await Promise.all(follows.map((f) => f.dispose()))) };
  }

  private heapFlags(service: 'kafka' | 'cassandra'): string[] {
    const heap = service === 'kafka' ? (this.opts.kafkaHeap ?? '256m') : (this.opts.cassandraHeap ?? '768m');
    // later -Xms/-Xmx win over the template's, so the same jvm.options serve one node and a cluster
    return [`-Xms${service === 'kafka' ? heap : '256m'}`, `-Xmx${heap}`];
  }

  private async startKafka(n: ClusterNode, java: string, progress: (e: ProgressEvent) => void): Promise<void> {
    const plan = this.plan();
    const dataDir = join(n.dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const props = join(n.dir, 'server.properties');
    writeFileSync(props, kafkaNodeProperties(this.stackDir, plan, n, dataDir));
    const log4j = join(n.dir, 'log4j.properties');
    copyFileSync(join(this.stackDir, 'kafka', 'log4j.properties'), log4j);
    const common = [`-Dlog4j.configuration=file:${log4j}`, '-cp', `${this.single.libDir('kafka')}/*`];
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      progress({ service: 'kafka', phase: 'create', message: `formatting ${n.id} storage (KRaft)` });
      await formatKafkaStorage(java, common, this.clusterId(), props, n.dir, this.env, this.logFile(n.id));
    }
    const pid = spawnDetached({ cmd: java, args: [...jvmOptions(this.stackDir, 'kafka'), ...this.heapFlags('kafka'), ...common, 'kafka.Kafka', props], cwd: n.dir, env: this.env, logFile: this.logFile(n.id), pidFile: this.pidFile(n.id) });
    progress({ service: 'kafka', phase: 'start', message: `started ${n.id} (Kafka ${KAFKA_VERSION}) on ${n.endpoint} (pid ${pid})` });
  }

  /** The Kafka cluster's id: made once, kept beside the nodes so a node formatted later joins the same cluster. */
  private clusterId(): string {
    const file = join(this.root, 'kafka-cluster-id');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const id = kafkaClusterId();
    writeFileSync(file, id + '\n');
    return id;
  }

  private startCassandra(n: ClusterNode, java: string, progress: (e: ProgressEvent) => void): void {
    const plan = this.plan();
    for (const d of CASSANDRA_DIRS) mkdirSync(join(n.dir, d), { recursive: true });
    const confDir = join(n.dir, 'conf');
    mkdirSync(confDir, { recursive: true });
    const yaml = join(confDir, 'cassandra.yaml');
    writeFileSync(yaml, cassandraNodeYaml(this.stackDir, plan, n));
    const logback = join(confDir, 'logback.xml');
    copyFileSync(join(this.stackDir, 'cassandra', 'logback.xml'), logback);
    const logDir = join(this.root, 'logs', n.id);
    mkdirSync(logDir, { recursive: true });
    const jvm = [...jvmOptions(this.stackDir, 'cassandra'), ...this.heapFlags('cassandra'), '-Dcassandra.ring_delay_ms=5000'];
    const args = cassandraArgs({ jvm, lib: this.single.libDir('cassandra'), yaml, dataDir: n.dir, logDir, logback, confDir });
    const pid = spawnDetached({ cmd: java, args, cwd: n.dir, env: this.env, logFile: this.logFile(n.id), pidFile: this.pidFile(n.id) });
    progress({ service: 'cassandra', phase: 'start', message: `started ${n.id} (Cassandra ${CASSANDRA_VERSION}) on ${n.endpoint} (pid ${pid})` });
  }

  private async waitNode(n: ClusterNode, progress: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<void> {
    const probe = n.service === 'kafka' ? () => probeKafka([n.endpoint], 4000) : () => probeCassandra([n.endpoint], this.config.cassandraLocalDc, 4000);
    let lastReport = 0;
    await waitFor(n.id, probe, {
      timeoutMs: this.startTimeoutMs,
      intervalMs: 1000,
      signal,
      failFast: () => (this.ownPid(n.id) === undefined ? `${n.id} exited; ${exitReport(this.logFile(n.id), 15)}` : undefined),
      onWaiting: (elapsed) => {
        if (elapsed - lastReport >= 10_000) {
          lastReport = elapsed;
          progress({ service: n.service, phase: 'wait', message: `still waiting for ${n.id} (${Math.round(elapsed / 1000)} s)` });
        }
      },
    });
    progress({ service: n.service, phase: 'ready', message: `${n.id} answers on ${n.endpoint}` });
  }
}
