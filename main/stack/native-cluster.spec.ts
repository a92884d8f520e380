import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../engine/shared/config';
import { NativeClusterProvider } from './native-cluster';

const config = (env: Record<string, string> = {}) => loadConfig({ env: { TOPK_DATA_DIR: mkdtempSync(join(tmpdir(), 'topk-cluster-')), ...env }, persistToken: false });

describe('native cluster provider', () => {
  it('plans every node: own folder, peer port beside the client port, the first Cassandra node as seed', () => {
    const p = new NativeClusterProvider(config({ TOPK_KAFKA_BROKERS: '127.0.0.2:19092', TOPK_CASSANDRA_CONTACT_POINTS: '127.0.0.2:19042', TOPK_REDIS_URL: 'redis://127.0.0.2:16379' }), { nodes: 3 });
    const plan = p.plan();
    expect(plan.kafka.map((n) => [n.id, n.endpoint, n.peerPort])).toEqual([
      ['kafka-1', '127.0.0.2:19092', 19093],
      ['kafka-2', '127.0.0.3:19092', 19093],
      ['kafka-3', '127.0.0.4:19092', 19093],
    ]);
    expect(plan.cassandra.map((n) => [n.id, n.endpoint, n.peerPort])).toEqual([
      ['cassandra-1', '127.0.0.2:19042', 19043],
      ['cassandra-2', '127.0.0.3:19042', 19043],
      ['cassandra-3', '127.0.0.4:19042', 19043],
    ]);
    expect(new Set(p.allNodes().map((n) => n.dir)).size).toBe(6);
    expect(p.endpoints().cassandraContactPoints).toEqual(['127.0.0.2:19042', '127.0.0.3:19042', '127.0.0.4:19042']);
    expect(() => p.node('cassandra-4')).toThrow(/no node cassandra-4/);
  });

  it('refuses layouts that cannot work', () => {
    expect(() => new NativeClusterProvider(config(), { nodes: 1 })).toThrow(/2 to 9 nodes/);
    expect(() => new NativeClusterProvider(config({ TOPK_CASSANDRA_CONTACT_POINTS: '127.0.0.2:1,127.0.0.3:2' }), { nodes: 2 })).toThrow(/same CQL port/);
    expect(() => new NativeClusterProvider(config({ TOPK_KAFKA_BROKERS: '127.0.0.2:1,127.0.0.2:2' }), { nodes: 2 })).toThrow(/its own address/);
  });
});
