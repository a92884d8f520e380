import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeStackDir } from '../../engine/shared/app-paths';
import { loadConfig } from '../../engine/shared/config';
import { cassandraNodeYaml, clusterPlan, kafkaNodeProperties, nodeAddresses, ringTokens } from './native-cluster-layout';

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

  it('renders every node config: every Kafka node a voter, the first Cassandra node the seed, one token each', () => {
    const config = loadConfig({ env: { TOPK_DATA_DIR: mkdtempSync(join(tmpdir(), 'topk-cluster-')), TOPK_KAFKA_BROKERS: '127.0.0.2:19092', TOPK_CASSANDRA_CONTACT_POINTS: '127.0.0.2:19042' }, persistToken: false });
    const plan = clusterPlan(config, 3, '/cluster');
    const props = kafkaNodeProperties(nativeStackDir(), plan, plan.kafka[1]!, '/cluster/kafka-2/data');
    expect(props).toContain('node.id=2\n');
    expect(props).toContain('controller.quorum.voters=1@127.0.0.2:19093,2@127.0.0.3:19093,3@127.0.0.4:19093\n');
    expect(props).toContain('listeners=PLAINTEXT://127.0.0.3:19092,CONTROLLER://127.0.0.3:19093\n');
    expect(props).toContain('default.replication.factor=3\n');
    expect(props).toContain('min.insync.replicas=2\n');
    const yaml = cassandraNodeYaml(nativeStackDir(), plan, plan.cassandra[2]!);
    expect(yaml).toContain('- seeds: "127.0.0.2:19043"');
    expect(yaml).toContain(`initial_token: ${ringTokens(3)[2]}\n`);
    expect(yaml).toContain('listen_address: 127.0.0.4\n');
    expect(yaml).toContain('commitlog_directory: /cluster/cassandra-3/commitlog\n');
  });
});
