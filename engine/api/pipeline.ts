import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger';
import { withTimeout } from '../shared/concurrency';
import { PIPELINE_STAT_FIELDS } from './metrics';


export interface PartitionLag {
  partition: number;
  /** committed offset of the consumer group, -1 when it never committed */
  committed: number;
  /** log end offset (high watermark) */
  end: number;
  /** first offset still in the log */
  start: number;
  lag: number;
}

export interface ConsumerLag {
  topic: string;
  group: string;
  consumer_lag: number;
  /** false until the listens topic exists (nothing published yet) */
  topic_exists: boolean;
  partitions: PartitionLag[];
}

/**
 * Reads the aggregator's Kafka lag (kafkajs admin) and the pipeline counters
 * (the deployment's Redis stats hash, shared/stats.ts redisNames). The admin client is connected lazily and
 * reconnected after a failure.
 */
export class PipelineInspector {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;

  constructor(
    private readonly deps: { kafka: Kafka; redis: Redis; log: Logger; topic: string; group: string; statsKey: string; timeoutMs?: number },
  ) {}

  private async getAdmin(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.deps.kafka.admin();
      try {
        await admin.connect();
        this.admin = admin;
        return admin;
      } catch (err) {
        await admin.disconnect().catch(() => undefined);
        throw err;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const timeout = this.deps.timeoutMs ?? 5000;
    try {
      const admin = await withTimeout(this.getAdmin(), timeout, 'kafka admin connect timed out');
      return await withTimeout(fn(admin), timeout, 'kafka admin request timed out');
    } catch (err) {
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async consumerLag(): Promise<ConsumerLag> {
    const { topic, group } = this.deps;
    return this.withAdmin(async (admin) => {
      // fetchTopicOffsets on a missing topic retries for a long time; ask for the topic list first
      if (!(await admin.listTopics()).includes(topic)) return { topic, group, consumer_lag: 0, topic_exists: false, partitions: [] };
      const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: group, topics: [topic] })]);
      const byPartition = new Map<number, number>();
      for (const t of committed) if (t.topic === topic) for (const p of t.partitions) byPartition.set(p.partition, Number(p.offset));
      const partitions = ends
        .map((e): PartitionLag => {
          const end = Number(e.high);
          const start = Number(e.low);
          const c = byPartition.get(e.partition) ?? -1;
          // no commit yet: everything still in the log is unconsumed
          const lag = Math.max(0, end - (c >= 0 ? Math.max(c, start) : start));
          return { partition: e.partition, committed: c, end, start, lag };
        })
        .sort((a, b) => a.partition - b.partition);
      return { topic, group, consumer_lag: partitions.reduce((s, p) => s + p.lag, 0), topic_exists: true, partitions };
    });
  }

  /** Kafka reachable (cluster metadata answers)? */
  async ping(): Promise<void> {
    await this.withAdmin((admin) => admin.describeCluster());
  }

  async stats(): Promise<Record<string, number> | null> {
    const { redis } = this.deps;
    if (redis.status !== 'ready') return null;
    try {
      const raw = await withTimeout(redis.hgetall(this.deps.statsKey), 1000, 'redis hgetall timed out');
      const out: Record<string, number> = {};
      for (const f of PIPELINE_STAT_FIELDS) out[f] = Number(raw[f] ?? 0) || 0;
      for (const [k, v] of Object.entries(raw)) if (!(k in out)) out[k] = Number(v) || 0;
      return out;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    const admin = this.admin ?? (await this.connecting?.catch(() => undefined));
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
