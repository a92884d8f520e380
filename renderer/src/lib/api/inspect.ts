import type { Http } from './http';
import type { KafkaMessagesResult, KafkaOverview } from './wire';

const enc = encodeURIComponent;

// ---- Kafka (the answers' shapes: KafkaOverview, KafkaMessagesResult in ./wire)
export interface KafkaMessagesQuery { partition?: number; from?: 'newest' | 'offset' | 'timestamp'; offset?: string; timestamp?: string; key?: string; limit?: number }

// ---- Cassandra
export interface CqlColumn { name: string; type: string; kind: 'partition_key' | 'clustering' | 'regular' | 'static'; /** clustering order */ order?: 'asc' | 'desc' }
export interface CqlTable { name: string; columns: CqlColumn[] }
export interface CqlKeyspace { name: string; tables: CqlTable[] }
export interface CqlRows { columns: string[]; rows: Record<string, unknown>[]; page_state: string | null; elapsed_ms?: number; truncated?: boolean }

// ---- Redis
export interface RedisKey { key: string; type: string; ttl: number }
export interface RedisScan { keys: RedisKey[]; cursor: string; throttled?: boolean }
export interface RedisValue { key: string; type: string; ttl: number; length?: number; value: unknown; truncated?: boolean }
export interface BullQueue { name: string; counts: Record<string, number>; paused?: boolean }

/** /control/inspect/* — read-only views of Kafka, Cassandra and Redis. */
export class InspectApi {
  constructor(private readonly http: Http) {}

  kafka(): Promise<KafkaOverview> {
    return this.http.get('/control/inspect/kafka');
  }
  kafkaMessages(topic: string, q: KafkaMessagesQuery): Promise<KafkaMessagesResult> {
    return this.http.get(`/control/inspect/kafka/topics/${enc(topic)}/messages`, { ...q });
  }

  keyspaces(): Promise<{ keyspaces: CqlKeyspace[] }> {
    return this.http.get('/control/inspect/cassandra/keyspaces');
  }
  rows(keyspace: string, table: string, q: { key?: string; page_state?: string; limit?: number }): Promise<CqlRows> {
    return this.http.get(`/control/inspect/cassandra/keyspaces/${enc(keyspace)}/tables/${enc(table)}/rows`, q);
  }
  query(cql: string, limit: number): Promise<CqlRows> {
    return this.http.post('/control/inspect/cassandra/query', { cql, limit });
  }

  redisScan(pattern: string, cursor: string, count = 200): Promise<RedisScan> {
    return this.http.get('/control/inspect/redis/keys', { pattern, cursor, count });
  }
  redisKey(key: string): Promise<RedisValue> {
    return this.http.get('/control/inspect/redis/key', { key });
  }
  queues(): Promise<{ queues: BullQueue[] }> {
    return this.http.get('/control/inspect/redis/queues');
  }
}
