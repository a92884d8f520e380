import type { Http } from './http';

const enc = encodeURIComponent;

// ---- Kafka
export interface KafkaPartition { partition: number; leader: number; replicas: number[]; isr: number[]; start_offset: string; end_offset: string; messages: number }
export interface KafkaTopic { name: string; partitions: KafkaPartition[]; replication_factor: number; messages: number; lag?: number }
export interface KafkaGroupLag { topic: string; partition: number; committed: string | null; end_offset: string; lag: number }
export interface KafkaGroup { group_id: string; state: string; members: number; lag: KafkaGroupLag[]; total_lag: number }
export interface KafkaOverview { topics: KafkaTopic[]; groups: KafkaGroup[] }
export interface KafkaMessage {
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  /** parsed JSON when the value is JSON, else the text */
  value: unknown;
  /** DLQ: why the message was rejected */
  reason?: string;
}
export interface KafkaMessages {
  messages: KafkaMessage[];
  /** key search: what was searched (a bounded window per partition) */
  note?: string;
  /** the read hit its time limit before every partition was read */
  timed_out?: boolean;
}
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
  kafkaMessages(topic: string, q: KafkaMessagesQuery): Promise<KafkaMessages> {
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
