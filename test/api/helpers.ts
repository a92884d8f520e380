import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import pino from 'pino';
import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import { loadConfig } from '../../engine/shared/config';
import type { Config } from '../../engine/shared/config';
import type { Logger } from '../../engine/shared/logger';

export const CQL_DIR = join(import.meta.dirname, '../../cql');

export const quietLog: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function uid(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A Config for one test file: unique keyspace, topic, group and token; dev stack endpoints. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const tag = randomBytes(4).toString('hex');
  return loadConfig({
    env: {
      TOPK_DATA_DIR: mkdtempSync(join(tmpdir(), 'topk-api-test-')),
      TOPK_API_TOKEN: `test-token-${tag}`,
      TOPK_KEYSPACE: `topk_apitest_${tag}`,
      TOPK_LISTENS_TOPIC: `listens-apitest-${tag}`,
      TOPK_CONSUMER_GROUP: `topk-aggregator-apitest-${tag}`,
      TOPK_KAFKA_BROKERS: process.env.TOPK_KAFKA_BROKERS ?? '127.0.0.1:9092',
      TOPK_CASSANDRA_CONTACT_POINTS: process.env.TOPK_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042',
      TOPK_REDIS_URL: process.env.TOPK_REDIS_URL ?? 'redis://127.0.0.1:6379',
      ...overrides,
    },
    persistToken: false,
  });
}

/** Create the config's keyspace and apply cql/*.cql in order; returns a client bound to it. */
export async function migrateKeyspace(config: Config, log: Logger = quietLog): Promise<CassandraClient> {
  const admin = createCassandra(config, log, { keyspace: false });
  const repl = Object.entries(config.replication)
    .map(([k, v]) => `'${k}': ${typeof v === 'number' ? v : `'${v}'`}`)
    .join(', ');
  await admin.execute(`CREATE KEYSPACE IF NOT EXISTS ${config.keyspace} WITH replication = {${repl}}`);
  await admin.shutdown();
  const db = createCassandra(config, log);
  for (const f of readdirSync(CQL_DIR).filter((n) => n.endsWith('.cql')).sort()) {
    const text = readFileSync(join(CQL_DIR, f), 'utf8').replace(/--[^\n]*/g, '');
    for (const stmt of text.split(';').map((s) => s.trim()).filter(Boolean)) await db.execute(stmt);
  }
  return db;
}

export async function dropKeyspace(db: CassandraClient, keyspace: string): Promise<void> {
  await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
  await db.shutdown();
}

export interface TestListen {
  user_id: string;
  listened_at: number;
  song_id: string;
  title: string;
  artist: string;
  source?: string;
  album?: string;
}

/**
 * Writes listens the way the aggregator does (raw row, per-user and global
 * counters, user_days, tracks), for listens not written before.
 */
export async function writeListens(db: CassandraClient, listens: TestListen[]): Promise<void> {
  const { LocalDate, Long } = cassandra.types;
  const opts = { prepare: true };
  const queue = [...listens];
  const worker = async (): Promise<void> => {
    for (let l = queue.shift(); l; l = queue.shift()) await writeOne(l);
  };
  const writeOne = async (l: TestListen): Promise<void> => {
    const day = LocalDate.fromDate(new Date(l.listened_at));
    await db.execute(
      'INSERT INTO listens (user_id, day, listened_at, source, song_id, title, artist, album) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [l.user_id, day, new Date(l.listened_at), l.source ?? 'simulator', l.song_id, l.title, l.artist, l.album ?? null],
      opts,
    );
    await db.execute('UPDATE daily_counts SET plays = plays + ? WHERE user_id = ? AND day = ? AND song_id = ?', [Long.ONE, l.user_id, day, l.song_id], opts);
    await db.execute('UPDATE global_daily_counts SET plays = plays + ? WHERE day = ? AND song_id = ?', [Long.ONE, day, l.song_id], opts);
    await db.execute('INSERT INTO user_days (user_id, day) VALUES (?, ?)', [l.user_id, day], opts);
    await db.execute('INSERT INTO tracks (song_id, title, artist, album) VALUES (?, ?, ?, ?)', [l.song_id, l.title, l.artist, l.album ?? null], opts);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Independent Top-K: count listens in the window, order by count desc then song_id asc. */
export function expectedTop(listens: TestListen[], filter: (l: TestListen) => boolean): Array<{ song_id: string; listen_count: number }> {
  const counts: Record<string, number> = {};
  for (const l of listens) if (filter(l)) counts[l.song_id] = (counts[l.song_id] ?? 0) + 1;
  return Object.keys(counts)
    .map((song_id) => ({ song_id, listen_count: counts[song_id]! }))
    .sort((a, b) => {
      if (a.listen_count !== b.listen_count) return b.listen_count - a.listen_count;
      return a.song_id < b.song_id ? -1 : 1;
    });
}

export const DAY_MS = 86_400_000;

/** 00:00 UTC of the day `n` days before `now`. */
export function dayStartMs(now: number, daysAgo: number): number {
  const d = new Date(now - daysAgo * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}
