import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../engine/shared/config';
import { NativeClusterProvider, nodeAddresses, ringTokens } from './native-cluster';

const config = (env: Record<string, string> = {}) => loadConfig({ env: { TOPK_DATA_DIR: mkdtempSync(join(tmpdir(), 'topk-cluster-')), ...env }, persistToken: false });

describe('native cluster layout', () => {
  it('puts node i on the i-th loopback address from the configured one, same port (as ccm does)', () => {
    expect(nodeAddresses(['127.0.0.2:19092'], 3, 9092, 'X')).toEqual([
      { host: '127.0.0.2', port: 19092 },
      { host: '127.0.0.3', port: 19092 },
      { host: '127.0.0.4', port: 19092 },
    ]);
    expect(nodeAddresses(['10.0.0.1:1', '10.0.0.7:2'], 2, 9092, 'X')).toEqual([
      { host: '10.0.0.1', port: 1 },
      { host: '10.0.0.7', port: 2 },
    ]);
    expect(() => nodeAddresses(['a:1', 'b:2'], 3, 9092, 'TOPK_KAFKA_BROKERS')).toThrow(/TOPK_KAFKA_BROKERS names 2 endpoints but the cluster has 3 nodes/);
    expect(() => nodeAddresses(['kafka.local:9092'], 3, 9092, 'X')).toThrow(/not a loopback address/);
    expect(() => nodeAddresses(['127.0.0.253:9092'], 3, 9092, 'X')).toThrow(/not a loopback address with 2 more/);
  });

  it('spaces one Murmur3 token per node evenly over the ring', () => {
    expect(ringTokens(3)).toEqual(['-9223372036854775808', '-3074457345618258603', '3074457345618258602']);
    const t = ringTokens(4).map(BigInt);
    expect(t[1]! - t[0]!).toBe(2n ** 62n);
  });

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
