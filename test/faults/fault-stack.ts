/**
 * The fault suite's OWN native stack (Kafka, Cassandra, Redis) on private ports
 * with its own data dir, so restarting services never touches the shared dev
 * stack on 9092/9042/6379. Jars are linked from an existing native stack when
 * one is found (else the native provider fetches them once with Maven).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from '../../engine/shared/config';
import type { Config } from '../../engine/shared/config';
import { CASSANDRA_VERSION, KAFKA_VERSION, NativeStackProvider } from '../../main/stack/native-provider';
import { stopPid } from '../../main/stack/native-processes';
import { probeCassandra, probeKafka, probeRedis } from '../../main/stack/probes';
import type { ServiceName } from '../../main/stack/types';
import { privateStack } from '../helpers/private-stack';

export const ROOT = join(import.meta.dirname, '../..');

/**
 * Private ports (Kafka also binds +1 for its controller, Cassandra +1 for storage). They sit below
 * the kernel's range for outgoing connections' ports (32768-60999 on Linux) and below the range
 * test/helpers/free-port.ts picks from: a port inside that range can be held, when the stack
 * starts, by any connection made on 127.0.0.1 — CI once saw Kafka's controller fail to bind 39093.
 */
const STACK = privateStack('fault', '127.0.0.1', { kafka: 17092, cassandra: 17042, redis: 17379 });

export function faultDataDir(): string {
  return STACK.dataDir();
}

export function faultConfig(env: Record<string, string> = {}): Config {
  return STACK.config(env);
}

/** Link jars of an existing native stack (test stack, fault stack, dev data dir, TOPK_FAULT_LIB_DIR) instead of fetching them again. */
export function linkJars(provider: NativeStackProvider): void {
  const candidates = [
    process.env.TOPK_FAULT_LIB_DIR,
    join(ROOT, '.cache', 'test-stack', 'native', 'lib'),
    // the fault suite's own copy, for the cluster suite that runs after it in .ci/run
    join(ROOT, '.cache', 'fault-stack', 'native', 'lib'),
    join(process.env.TOPK_TEST_DATA_DIR ?? '/nonexistent', 'native', 'lib'),
    join(defaultDataDir(), 'native', 'lib'),
  ].filter((d): d is string => !!d);
  for (const name of ['kafka', 'cassandra'] as const) {
    const dest = provider.libDir(name);
    if (existsSync(join(dest, '.complete'))) continue;
    const dirName = `${name}-${name === 'kafka' ? KAFKA_VERSION : CASSANDRA_VERSION}`;
    const from = candidates.map((c) => join(c, dirName)).find((d) => existsSync(join(d, '.complete')));
    if (!from) continue;
    mkdirSync(join(provider.root, 'lib'), { recursive: true });
    rmSync(dest, { recursive: true, force: true });
    symlinkSync(from, dest, 'dir');
  }
}

export class FaultStack {
  readonly provider: NativeStackProvider;

  constructor(readonly config: Config) {
    this.provider = new NativeStackProvider(config, { startTimeoutMs: 300_000, stopTimeoutMs: 60_000 });
  }

  async up(say: (m: string) => void = () => undefined): Promise<void> {
    linkJars(this.provider);
    await this.provider.up({ onProgress: (e) => (e.phase === 'download' && e.percent === undefined ? undefined : say(`[${e.service}] ${e.message}`)) });
  }

  async down(): Promise<void> {
    await this.provider.down({ volumes: true });
  }

  /** Stop one service (SIGTERM, or SIGKILL with `kill`); resolves when it is gone. */
  async stop(name: ServiceName, how: 'term' | 'kill' = 'term'): Promise<void> {
    const pid = this.provider.ownPid(name);
    if (pid === undefined) return;
    if (how === 'kill') {
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && this.provider.ownPid(name) !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
    } else {
      await stopPid(pid, 60_000);
    }
  }

  /** Redis's persistence files: deleting them makes the next start come up with empty memory. */
  wipeRedisData(): void {
    const dir = this.provider.plan().redis.dir;
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
  }

  /** Start whatever is not running and wait until it answers. */
  async start(): Promise<void> {
    await this.provider.up();
  }

  async healthy(name: ServiceName): Promise<boolean> {
    const c = this.config;
    const r =
      name === 'kafka'
        ? await probeKafka(c.kafkaBrokers, 3000)
        : name === 'cassandra'
          ? await probeCassandra(c.cassandraContactPoints, c.cassandraLocalDc, 3000)
          : await probeRedis(c.redisUrl, 1500);
    return r.ok;
  }
}
