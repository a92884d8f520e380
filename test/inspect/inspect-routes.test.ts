/**
 * /control/inspect/* against the real test stack: a control server with the
 * inspect routes, data written with the real clients under unique names.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Admin, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Config } from '../../engine/shared/config';
import { createKafka } from '../../engine/shared/kafka';
import { createRedis } from '../../engine/shared/redis';
import type { ControlServerHandle } from '../../main/control/control-server';
import { createInspectRoutes } from '../../main/control/inspect/inspect-routes';
import { crawlQueueName } from '../../engine/crawler/crawl-queue';
import type { InspectRoutes } from '../../main/control/inspect/inspect-routes';
import { INSPECT_GROUP_PREFIX } from '../../main/control/inspect/kafka-inspector';
import { LogStore } from '../../main/logs/log-store';
import { cqlId, migratedKeyspace, testConfig, testLog, uid } from '../helpers';
import { startBareControlServer } from '../helpers/control-test-server';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);

let config: Config;
let server: ControlServerHandle;
let inspect: InspectRoutes;
let logs: LogStore;
let admin: Admin;
let producer: Producer;
let cass: CassandraClient;
let redis: Redis;
const topic = uid('inspect');
const dlq = `${topic}.dlq`;
const group = uid('inspect-group');
const user = uid('inspect-user');
const prefix = `${uid('inspect')}:`;
const queueName = uid('inspect-queue');
let typesTable: string;
let queue: Queue;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked by the assertions
async function call(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.token ?? config.apiToken}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const enc = encodeURIComponent;

beforeAll(async () => {
  // Redis database 9 holds only this file's keys: the scan test walks every key of its
  // database, and database 0 is shared with the other test files of the run (the benchmark
  // tests alone leave hundreds of thousands), which no bounded walk can cover.
  const migrated = await migratedKeyspace(testConfig());
  const redisUrl = new URL(migrated.redisUrl);
  redisUrl.pathname = '/9';
  config = { ...migrated, redisUrl: redisUrl.toString() };
  logs = new LogStore({ dir: mkdtempSync(join(tmpdir(), 'topk-inspect-logs-')) });
  inspect = createInspectRoutes({ target: () => config, log: testLog, kafka: { keyWindow: 1000 } });
  server = await startBareControlServer({ token: config.apiToken, logs, routes: [inspect.route], log: testLog });

  // Kafka: 3 partitions, 30 messages with known keys and timestamps; a DLQ with reasons; a group with lag
  const kafka = createKafka(config, testLog, 'inspect-test');
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }, { topic: dlq, numPartitions: 1 }], waitForLeaders: true });
  producer = kafka.producer();
  await producer.connect();
  for (let p = 0; p < 3; p++) {
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({
        partition: p,
        key: i % 2 === 0 ? `even-${p}` : 'odd',
        value: JSON.stringify({ v: 1, user_id: 'u', n: p * 100 + i }),
        timestamp: String(T0 + (p * 10 + i) * 60_000),
        headers: { source: 'test' },
      })),
    });
  }
  await producer.send({
    topic: dlq,
    messages: [
      { key: 'bad-user', value: '{"v":1,"listened_at":"yesterday"}', headers: { reason: 'listened_at must be an integer (ms)' } },
      { key: null, value: 'not json at all', headers: { reason: 'invalid JSON' } },
    ],
  });
  await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '10' }, { partition: 2, offset: '0' }] });

  // Cassandra: listens of one user on one day; a table with awkward types
  cass = createCassandra(config, testLog);
  for (let i = 0; i < 7; i++) {
    await cass.execute('INSERT INTO listens (user_id, day, listened_at, source, song_id, title, artist) VALUES (?, ?, ?, ?, ?, ?, ?)', [user, '2026-01-10', new Date(T0 + i * 1000), 'simulator', `song-${i}`, `Title ${i}`, 'Artist'], { prepare: true });
  }
  typesTable = cqlId('inspect_types');
  await cass.execute(`CREATE TABLE ${typesTable} (id bigint, at timeuuid, data blob, tags set<text>, m map<text, int>, big varint, PRIMARY KEY (id, at))`);
  await cass.execute(`INSERT INTO ${typesTable} (id, at, data, tags, m, big) VALUES (9007199254740993, 50554d6e-29bb-11e5-b345-feff819cdc9f, 0xcafe, {'a','b'}, {'x': 1}, 123456789012345678901234567890)`);

  // Redis: one key of each type, one with a TTL; a BullMQ queue with jobs
  redis = createRedis(config, testLog);
  await redis.set(`${prefix}str`, 'x'.repeat(5000));
  await redis.set(`${prefix}json`, '{"a":[1,2,3]}', 'EX', 600);
  await redis.hset(`${prefix}hash`, { f1: 'v1', f2: 'v2' });
  await redis.sadd(`${prefix}set`, 'm1', 'm2', 'm3');
  await redis.zadd(`${prefix}zset`, 3, 'c', 1, 'a', 2, 'b');
  await redis.rpush(`${prefix}list`, ...Array.from({ length: 150 }, (_, i) => `item-${i}`));
  await redis.xadd(`${prefix}stream`, '*', 'k', 'v1');
  await redis.xadd(`${prefix}stream`, '*', 'k', 'v2');
  for (let i = 0; i < 30; i++) await redis.set(`${prefix}many:${i}`, String(i));
  queue = new Queue(queueName, { connection: createRedis(config, testLog, { forWorker: true }) });
  await queue.add('a', { n: 1 });
  await queue.add('b', { n: 2 });
  await queue.add('c', { n: 3 }, { delay: 600_000 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await inspect?.close();
  await admin?.deleteTopics({ topics: [topic, dlq] }).catch(() => undefined);
  await admin?.deleteGroups([group]).catch(() => undefined);
  await admin?.disconnect();
  await producer?.disconnect();
  if (typesTable) await cass?.execute(`DROP TABLE IF EXISTS ${typesTable}`).catch(() => undefined);
  await cass?.shutdown();
  if (redis) {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  logs?.close();
});

describe('auth', () => {
  it('every inspect route needs the bearer token', async () => {
    expect((await call('/control/inspect/kafka', { token: 'wrong' })).status).toBe(401);
    expect((await call('/control/inspect/redis/queues', { token: 'wrong' })).status).toBe(401);
  });
  it('an unknown inspect route is a 404', async () => {
    expect((await call('/control/inspect/nope')).status).toBe(404);
  });
});

describe('kafka', () => {
  it('lists topics with partitions, offsets, counts, and groups with lag', async () => {
    const r = await call('/control/inspect/kafka');
    expect(r.status).toBe(200);
    const t = r.body.topics.find((x: { name: string }) => x.name === topic);
    expect(t).toMatchObject({ name: topic, replication_factor: 1, messages: 30, lag: 6 + 0 + 10 });
    expect(t.partitions).toHaveLength(3);
    expect(t.partitions[0]).toMatchObject({ partition: 0, start_offset: '0', end_offset: '10', messages: 10, replicas: [expect.any(Number)], isr: [expect.any(Number)] });
    expect(r.body.topics.find((x: { name: string }) => x.name === dlq).messages).toBe(2);
    expect(r.body.topics.some((x: { name: string }) => x.name.startsWith('__'))).toBe(false);
    const g = r.body.groups.find((x: { group_id: string }) => x.group_id === group);
    expect(g).toMatchObject({ group_id: group, members: 0, total_lag: 16 });
    expect(g.lag).toEqual([
      { topic, partition: 0, committed: '4', end_offset: '10', lag: 6 },
      { topic, partition: 1, committed: '10', end_offset: '10', lag: 0 },
      { topic, partition: 2, committed: '0', end_offset: '10', lag: 10 },
    ]);
  });

  it('keeps answering after a topic it has seen is deleted', async () => {
    const gone = uid('inspect-gone');
    await admin.createTopics({ topics: [{ topic: gone, numPartitions: 1 }], waitForLeaders: true });
    expect((await call('/control/inspect/kafka')).body.topics.some((t: { name: string }) => t.name === gone)).toBe(true);
    expect((await call(`/control/inspect/kafka/topics/${enc(gone)}/messages`)).status).toBe(200);
    await admin.deleteTopics({ topics: [gone] });
    const r = await call('/control/inspect/kafka');
    expect(r.status).toBe(200);
    expect(r.body.topics.some((t: { name: string }) => t.name === topic)).toBe(true);
    expect((await call(`/control/inspect/kafka/topics/${enc(topic)}/messages?limit=1`)).status).toBe(200);
  });

  it('reads the newest messages of one partition, decoded, with key, headers and time', async () => {
    const r = await call(`/control/inspect/kafka/topics/${enc(topic)}/messages?partition=1&from=newest&limit=3`);
    expect(r.status).toBe(200);
    expect(r.body.messages.map((m: { offset: string }) => m.offset)).toEqual(['9', '8', '7']);
    expect(r.body.messages[0]).toEqual({ partition: 1, offset: '9', timestamp: new Date(T0 + 19 * 60_000).toISOString(), key: 'odd', headers: { source: 'test' }, value: { v: 1, user_id: 'u', n: 109 } });
  });

  it('reads the newest across all partitions, newest first', async () => {
    const r = await call(`/control/inspect/kafka/topics/${enc(topic)}/messages?limit=4`);
    expect(r.status).toBe(200);
    expect(r.body.messages.map((m: { value: { n: number } }) => m.value.n)).toEqual([209, 208, 207, 206]);
  });

  it('reads from an offset', async () => {
    const r = await call(`/control/inspect/kafka/topics/${enc(topic)}/messages?partition=2&from=offset&offset=5&limit=3`);
    expect(r.status).toBe(200);
    expect(r.body.messages.map((m: { offset: string }) => m.offset)).toEqual(['5', '6', '7']);
  });

  it('reads from a time', async () => {
    const ts = new Date(T0 + 13 * 60_000).toISOString(); // partition 1, offset 3
    const r = await call(`/control/inspect/kafka/topics/${enc(topic)}/messages?from=timestamp&timestamp=${enc(ts)}&limit=2`);
    expect(r.status).toBe(200);
    expect(r.body.messages.map((m: { value: { n: number } }) => m.value.n)).toEqual([103, 104]);
  });

  it('searches by key in a bounded window and says so', async () => {
    const r = await call(`/control/inspect/kafka/topics/${enc(topic)}/messages?key=even-2&limit=50`);
    expect(r.status).toBe(200);
    expect(r.body.messages.map((m: { value: { n: number } }) => m.value.n)).toEqual([208, 206, 204, 202, 200]);
    expect(r.body.searched_per_partition).toBe(1000);
    expect(r.body.note).toMatch(/searched the 1,000 newest messages of each partition/);
  });

  it('shows the reason header of DLQ messages; non-JSON values as text', async () => {
    const r = await call(`/control/inspect/kafka/topics/${enc(dlq)}/messages?from=offset&offset=0`);
    expect(r.status).toBe(200);
    expect(r.body.messages).toHaveLength(2);
    expect(r.body.messages[0]).toMatchObject({ key: 'bad-user', reason: 'listened_at must be an integer (ms)', value: { v: 1, listened_at: 'yesterday' } });
    expect(r.body.messages[1]).toMatchObject({ key: null, reason: 'invalid JSON', value: 'not json at all' });
  });

  it('never commits and leaves no temporary group behind', async () => {
    await call(`/control/inspect/kafka/topics/${enc(topic)}/messages?limit=5`);
    await new Promise((r) => setTimeout(r, 500));
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    expect(groups.filter((g) => g.startsWith(INSPECT_GROUP_PREFIX))).toEqual([]);
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    expect(offsets[0]!.partitions.map((p) => p.offset).sort()).toEqual(['0', '10', '4']);
  });

  it('answers 400 with the reason for an unknown topic, partition, bad offset, limit, from', async () => {
    const base = `/control/inspect/kafka/topics/${enc(topic)}/messages`;
    const cases: [string, string, string][] = [
      [`/control/inspect/kafka/topics/${enc(uid('no-such-topic'))}/messages`, 'unknown_topic', 'topic'],
      [`${base}?partition=7`, 'unknown_partition', 'partition'],
      [`${base}?partition=-1`, 'invalid_integer', 'partition'],
      [`${base}?partition=0&from=offset&offset=11`, 'offset_out_of_range', 'offset'],
      [`${base}?from=offset&offset=abc`, 'invalid_offset', 'offset'],
      [`${base}?from=offset`, 'invalid_offset', 'offset'],
      [`${base}?from=timestamp&timestamp=yesterday`, 'invalid_timestamp', 'timestamp'],
      [`${base}?from=oldest`, 'invalid_from', 'from'],
      [`${base}?limit=201`, 'invalid_integer', 'limit'],
    ];
    for (const [path, code, field] of cases) {
      const r = await call(path);
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toMatchObject({ code, field, message: expect.any(String) });
    }
    const r = await call(`${base}?partition=0&from=offset&offset=11`);
    expect(r.body.error.message).toMatch(/offset 11 is outside partition 0/);
  });
});

describe('cassandra', () => {
  it('lists keyspaces and tables with the schema: kinds, types, clustering order', async () => {
    const r = await call('/control/inspect/cassandra/keyspaces');
    expect(r.status).toBe(200);
    const ks = r.body.keyspaces.find((k: { name: string }) => k.name === config.keyspace);
    expect(r.body.keyspaces[0].name).toBe(config.keyspace);
    expect(r.body.keyspaces.some((k: { name: string }) => k.name === 'system_schema')).toBe(false);
    const listens = ks.tables.find((t: { name: string }) => t.name === 'listens');
    expect(listens.columns.slice(0, 5)).toEqual([
      { name: 'user_id', type: 'text', kind: 'partition_key' },
      { name: 'day', type: 'date', kind: 'partition_key' },
      { name: 'listened_at', type: 'timestamp', kind: 'clustering', order: 'desc' },
      { name: 'source', type: 'text', kind: 'clustering', order: 'asc' },
      { name: 'song_id', type: 'text', kind: 'clustering', order: 'asc' },
    ]);
    expect(listens.columns.slice(5).every((c: { kind: string }) => c.kind === 'regular')).toBe(true);
    const withSystem = await call('/control/inspect/cassandra/keyspaces?system=true');
    expect(withSystem.body.keyspaces.some((k: { name: string }) => k.name === 'system_schema')).toBe(true);
  });

  it('pages through one partition by key', async () => {
    const path = `/control/inspect/cassandra/keyspaces/${config.keyspace}/tables/listens/rows`;
    const key = enc(JSON.stringify({ user_id: user, day: '2026-01-10' }));
    const p1 = await call(`${path}?key=${key}&limit=4`);
    expect(p1.status).toBe(200);
    expect(p1.body.columns).toContain('listened_at');
    expect(p1.body.rows).toHaveLength(4);
    expect(p1.body.rows[0]).toMatchObject({ user_id: user, day: '2026-01-10', listened_at: new Date(T0 + 6000).toISOString(), song_id: 'song-6', title: 'Title 6' });
    expect(p1.body.page_state).toMatch(/^[0-9a-f]+$/);
    const p2 = await call(`${path}?key=${key}&limit=4&page_state=${p1.body.page_state}`);
    expect(p2.body.rows.map((r: { song_id: string }) => r.song_id)).toEqual(['song-2', 'song-1', 'song-0']);
    expect(p2.body.page_state).toBeNull();
    // an array in partition-key order works too
    const arr = await call(`${path}?key=${enc(JSON.stringify([user, '2026-01-10']))}&limit=100`);
    expect(arr.body.rows).toHaveLength(7);
  });

  it('browses a table without a key with a bounded page; renders awkward types JSON-safe', async () => {
    const r = await call(`/control/inspect/cassandra/keyspaces/${config.keyspace}/tables/${typesTable}/rows?limit=10`);
    expect(r.status).toBe(200);
    expect(r.body.rows).toEqual([{ id: '9007199254740993', at: '50554d6e-29bb-11e5-b345-feff819cdc9f', data: '0xcafe', tags: ['a', 'b'], m: { x: 1 }, big: '123456789012345678901234567890' }]);
    const byKey = await call(`/control/inspect/cassandra/keyspaces/${config.keyspace}/tables/${typesTable}/rows?key=${enc('{"id":"9007199254740993"}')}`);
    expect(byKey.body.rows).toHaveLength(1);
  });

  it('answers 400 for an unknown keyspace/table, a bad key, limit or page state', async () => {
    const base = `/control/inspect/cassandra/keyspaces/${config.keyspace}/tables/listens/rows`;
    const cases: [string, string, string][] = [
      [`/control/inspect/cassandra/keyspaces/no_such_ks_x/tables/listens/rows`, 'unknown_keyspace', 'keyspace'],
      [`/control/inspect/cassandra/keyspaces/${config.keyspace}/tables/no_such_table/rows`, 'unknown_table', 'table'],
      [`${base}?key=${enc('{"user_id":"x"}')}`, 'invalid_key', 'key'],
      [`${base}?key=${enc('{"user_id":"x","day":"tomorrow"}')}`, 'invalid_key', 'key'],
      [`${base}?key=${enc('{"user_id":"x","day":"2026-01-01","song_id":"s"}')}`, 'invalid_key', 'key'],
      [`${base}?key=not-json`, 'invalid_key', 'key'],
      [`${base}?limit=0`, 'invalid_integer', 'limit'],
      [`${base}?page_state=zz`, 'invalid_page_state', 'page_state'],
    ];
    for (const [path, code, field] of cases) {
      const r = await call(path);
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toMatchObject({ code, field });
    }
  });

  describe('CQL console', () => {
    const q = (cql: unknown, limit?: unknown) => call('/control/inspect/cassandra/query', { method: 'POST', body: { cql, limit } });

    it('runs a SELECT with the row limit enforced', async () => {
      const r = await q(`SELECT song_id, title FROM ${config.keyspace}.listens WHERE user_id = '${user}' AND day = '2026-01-10'`, 3);
      expect(r.status).toBe(200);
      expect(r.body.columns).toEqual(['song_id', 'title']);
      expect(r.body.rows).toHaveLength(3);
      expect(r.body.truncated).toBe(true);
      expect(r.body.cql).toMatch(/LIMIT 3$/);
      const clamped = await q(`SELECT * FROM ${config.keyspace}.listens WHERE user_id = '${user}' AND day = '2026-01-10' LIMIT 1000;`, 5);
      expect(clamped.body.rows).toHaveLength(5);
      const all = await q(`SELECT * FROM ${config.keyspace}.listens WHERE user_id = '${user}' AND day = '2026-01-10'`, 100);
      expect(all.body.rows).toHaveLength(7);
      expect(all.body.truncated).toBe(false);
    });

    it('refuses INSERT, DROP and other writes without running them', async () => {
      for (const cql of [
        `INSERT INTO ${config.keyspace}.tracks (song_id, title) VALUES ('inspect-x', 'x')`,
        `DROP TABLE ${config.keyspace}.${typesTable}`,
        `TRUNCATE ${config.keyspace}.tracks`,
        `UPDATE ${config.keyspace}.tracks SET title = 'x' WHERE song_id = 'inspect-x'`,
        `BEGIN BATCH INSERT INTO ${config.keyspace}.tracks (song_id) VALUES ('inspect-x'); APPLY BATCH`,
      ]) {
        const r = await q(cql, 10);
        expect(r.status, cql).toBe(400);
        expect(r.body.error, cql).toMatchObject({ code: 'not_select', field: 'cql' });
      }
      const still = await q(`SELECT * FROM ${config.keyspace}.${typesTable}`, 10);
      expect(still.body.rows).toHaveLength(1);
    });

    it('refuses two statements, also with a comment between', async () => {
      for (const cql of [`SELECT * FROM ${config.keyspace}.tracks; DROP TABLE ${config.keyspace}.${typesTable}`, `SELECT * FROM ${config.keyspace}.tracks /* x */ ; /* y */ SELECT 1 FROM ${config.keyspace}.tracks`]) {
        const r = await q(cql, 10);
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('multiple_statements');
      }
    });

    it('refuses a SELECT that needs ALLOW FILTERING over the whole table, and ALLOW FILTERING itself', async () => {
      const r = await q(`SELECT * FROM ${config.keyspace}.listens WHERE title = 'Title 1'`, 10);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'needs_allow_filtering', field: 'cql' });
      expect(r.body.error.message).toMatch(/scan the whole table/);
      const af = await q(`SELECT * FROM ${config.keyspace}.listens WHERE title = 'Title 1' ALLOW FILTERING`, 10);
      expect(af.status).toBe(400);
      expect(af.body.error.code).toBe('allow_filtering');
    });

    it('answers 400 for CQL errors, a missing keyspace, bad limit or body', async () => {
      expect((await q('SELECT * FROM', 10)).body.error).toMatchObject({ code: 'cql_syntax', field: 'cql' });
      expect((await q(`SELECT * FROM ${config.keyspace}.no_such_table`, 10)).status).toBe(400);
      const noKs = await q('SELECT * FROM listens', 10);
      expect(noKs.status).toBe(400);
      expect(noKs.body.error.message).toMatch(/keyspace\.table/);
      expect((await q('SELECT * FROM system.local', 5000)).body.error).toMatchObject({ code: 'invalid_integer', field: 'limit' });
      expect((await q(42, 10)).body.error).toMatchObject({ code: 'invalid_cql', field: 'cql' });
      const raw = await fetch(`${server.url}/control/inspect/cassandra/query`, { method: 'POST', headers: { authorization: `Bearer ${config.apiToken}` }, body: '{nope' });
      expect(raw.status).toBe(400);
      expect((await call('/control/inspect/cassandra/query')).status).toBe(405);
    });
  });
});

describe('redis', () => {
  it('scans keys by pattern with type and TTL, incrementally', async () => {
    const seen = new Map<string, { type: string; ttl: number }>();
    let cursor = '0';
    let rounds = 0;
    do {
      const r = await call(`/control/inspect/redis/keys?pattern=${enc(`${prefix}*`)}&cursor=${cursor}&count=10`);
      expect(r.status).toBe(200);
      expect(r.body.scan_calls).toBeLessThanOrEqual(10);
      for (const k of r.body.keys) seen.set(k.key, { type: k.type, ttl: k.ttl });
      cursor = r.body.cursor;
      rounds++;
    } while (cursor !== '0' && rounds < 1000);
    expect(seen.size).toBe(37);
    expect(seen.get(`${prefix}str`)).toEqual({ type: 'string', ttl: -1 });
    // the key got 600 s in beforeAll; under load many seconds pass before this test, so the scan's
    // TTL is checked against the key's own TTL read after it (never more), not a fixed floor
    const ttlAfter = await redis.ttl(`${prefix}json`);
    expect(ttlAfter).toBeGreaterThan(0);
    expect(seen.get(`${prefix}json`)!.ttl).toBeGreaterThanOrEqual(ttlAfter);
    expect(seen.get(`${prefix}json`)!.ttl).toBeLessThanOrEqual(600);
    expect(seen.get(`${prefix}hash`)!.type).toBe('hash');
    expect(seen.get(`${prefix}set`)!.type).toBe('set');
    expect(seen.get(`${prefix}zset`)!.type).toBe('zset');
    expect(seen.get(`${prefix}list`)!.type).toBe('list');
    expect(seen.get(`${prefix}stream`)!.type).toBe('stream');
  });

  it('previews each type with its size', async () => {
    const v = async (k: string) => (await call(`/control/inspect/redis/key?key=${enc(prefix + k)}`)).body;
    expect(await v('str')).toMatchObject({ type: 'string', ttl: -1, length: 5000, truncated: true });
    expect(((await v('str')).value as string).length).toBe(4096);
    expect(await v('json')).toMatchObject({ type: 'string', length: 13, value: { a: [1, 2, 3] } });
    expect(await v('hash')).toMatchObject({ type: 'hash', length: 2, value: { f1: 'v1', f2: 'v2' } });
    expect(await v('set')).toMatchObject({ type: 'set', length: 3, value: ['m1', 'm2', 'm3'] });
    expect(await v('zset')).toMatchObject({ type: 'zset', length: 3, value: [{ member: 'a', score: 1 }, { member: 'b', score: 2 }, { member: 'c', score: 3 }] });
    const list = await v('list');
    expect(list).toMatchObject({ type: 'list', length: 150, truncated: true });
    expect(list.value).toHaveLength(100);
    expect(list.value[0]).toBe('item-0');
    const stream = await v('stream');
    expect(stream).toMatchObject({ type: 'stream', length: 2 });
    expect(stream.value.map((e: { fields: { k: string } }) => e.fields.k)).toEqual(['v2', 'v1']);
  });

  it('answers 400 for bad input and 404 for a missing key', async () => {
    expect((await call('/control/inspect/redis/key')).body.error).toMatchObject({ code: 'missing_key', field: 'key' });
    expect((await call(`/control/inspect/redis/key?key=${enc(`${prefix}nope`)}`)).status).toBe(404);
    expect((await call('/control/inspect/redis/keys?cursor=abc')).body.error).toMatchObject({ code: 'invalid_cursor', field: 'cursor' });
    expect((await call('/control/inspect/redis/keys?count=100000')).body.error).toMatchObject({ code: 'invalid_integer', field: 'count' });
  });

  it('lists BullMQ queues with job counts by state, the crawl queue first', async () => {
    const r = await call('/control/inspect/redis/queues');
    expect(r.status).toBe(200);
    expect(r.body.queues[0].name).toBe(crawlQueueName(config.keyspace));
    const mine = r.body.queues.find((x: { name: string }) => x.name === queueName);
    expect(mine.counts).toMatchObject({ waiting: 2, delayed: 1, active: 0, completed: 0, failed: 0, paused: 0 });
    await queue.pause();
    const paused = (await call('/control/inspect/redis/queues')).body.queues.find((x: { name: string }) => x.name === queueName);
    expect(paused).toMatchObject({ paused: true, counts: { paused: 2 } });
  });
});

describe('an unreachable store', () => {
  it('answers 503 naming the store', async () => {
    const down = createInspectRoutes({ target: () => ({ ...config, redisUrl: 'redis://127.0.0.1:1', kafkaBrokers: ['127.0.0.1:1'], cassandraContactPoints: ['127.0.0.1:1'] }), log: testLog });
    const srv = await startBareControlServer({ token: config.apiToken, logs, routes: [down.route] });
    try {
      for (const [path, code] of [
        ['/control/inspect/redis/keys', 'redis_unavailable'],
        ['/control/inspect/kafka', 'kafka_unavailable'],
        ['/control/inspect/cassandra/keyspaces', 'cassandra_unavailable'],
      ]) {
        const res = await fetch(`${srv.url}${path}`, { headers: { authorization: `Bearer ${config.apiToken}` } });
        expect(res.status, path).toBe(503);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
      }
    } finally {
      await srv.close();
      await down.close();
    }
  }, 60_000);
});
