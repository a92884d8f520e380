import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { CassandraClient } from '../shared/cassandra';
import { withTimeout } from './concurrency';

/** Tables created by the migrations in `cqlDir` (CREATE TABLE [IF NOT EXISTS] name). */
export function expectedTables(cqlDir: string): string[] {
  const names = new Set<string>();
  for (const f of readdirSync(cqlDir).filter((n) => n.endsWith('.cql'))) {
    const text = readFileSync(join(cqlDir, f), 'utf8').replace(/--[^\n]*/g, '');
    for (const m of text.matchAll(/CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"?\w+"?\.)?"?(\w+)"?/gi)) names.add(m[1]!.toLowerCase());
  }
  return [...names].sort();
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
 * /readyz: Cassandra answers and every migrated table exists in the keyspace
 * (migrations current), Redis answers PING, Kafka answers metadata.
 */
export class ReadinessChecker {
  private tables: string[] | undefined;

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

  private async checkMigrations(): Promise<void> {
    this.tables ??= expectedTables(this.deps.cqlDir);
    const res = await this.deps.cassandra.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [this.deps.keyspace], {
      prepare: true,
    });
    const have = new Set(res.rows.map((r) => String(r.get('table_name'))));
    const missing = this.tables.filter((n) => !have.has(n));
    if (missing.length) throw new Error(`keyspace ${this.deps.keyspace} lacks tables ${missing.join(', ')}: run the migrations`);
  }
}
