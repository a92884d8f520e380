import { readdirSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { CassandraClient } from '../shared/cassandra';
import { withTimeout } from '../shared/concurrency';

/** Versions of the migrations in `cqlDir` (`NNNN_name.cql`, as the migrator names them). */
export function expectedMigrations(cqlDir: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const f of readdirSync(cqlDir)) {
    const m = /^(\d{4})_[A-Za-z0-9_-]+\.cql$/.exec(f);
    if (m) out.set(Number(m[1]), f);
  }
  return out;
}

export interface CheckResult {
  ok: boolean;
  error?: string;
  latency_ms: number;
}

async function timed(fn: () => Promise<void>, timeoutMs: number, what: string): Promise<CheckResult> {
  const t0 = performance.now();
  try {
    await withTimeout(fn(), timeoutMs, `${what} did not answer within ${timeoutMs} ms`);
    return { ok: true, latency_ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { ok: false, error: (err as Error).message, latency_ms: Math.round(performance.now() - t0) };
  }
}

/**
 * /readyz: Cassandra answers and every migration is applied to the keyspace, Redis answers PING, Kafka answers metadata.
 */
export class ReadinessChecker {
  private migrations: Map<number, string> | undefined;

  constructor(
    private readonly deps: {
      cassandra: CassandraClient;
      keyspace: string;
      redis: Redis;
      kafkaPing: () => Promise<void>;
      cqlDir: string;
      timeoutMs?: number;
    },
  ) {}

  async check(): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
    const t = this.deps.timeoutMs ?? 3000;
    const [cassandra, migrations, redis, kafka] = await Promise.all([
      timed(async () => void (await this.deps.cassandra.execute('SELECT release_version FROM system.local')), t, 'cassandra'),
      timed(() => this.checkMigrations(), t, 'cassandra schema'),
      timed(async () => {
        if (this.deps.redis.status !== 'ready') throw new Error(`redis connection is ${this.deps.redis.status}`);
        await this.deps.redis.ping();
      }, t, 'redis'),
      timed(() => this.deps.kafkaPing(), t, 'kafka'),
    ]);
    const checks = { cassandra, migrations, redis, kafka };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }

  /** Every migration file is recorded in the keyspace's schema_migrations (written by main/migrate). */
  private async checkMigrations(): Promise<void> {
    this.migrations ??= expectedMigrations(this.deps.cqlDir);
    let applied: Set<number>;
    try {
      const res = await this.deps.cassandra.execute(`SELECT version FROM ${this.deps.keyspace}.schema_migrations`);
      applied = new Set(res.rows.map((r) => Number(r.get('version'))));
    } catch (err) {
      if (/unconfigured table|does not exist|keyspace/i.test((err as Error).message)) {
        throw new Error(`keyspace ${this.deps.keyspace} is not migrated: run the migrations`);
      }
      throw err;
    }
    const pending = [...this.migrations].filter(([v]) => !applied.has(v)).map(([, f]) => f);
    if (pending.length) throw new Error(`migrations pending in ${this.deps.keyspace}: ${pending.join(', ')}`);
  }
}
