/**
 * The cluster suite's OWN native cluster: 3 Kafka brokers and 3 Cassandra nodes on the loopback
 * addresses 127.0.0.2–127.0.0.4 (private ports, never the shared dev stack on 127.0.0.1), Redis on
 * 127.0.0.2, data under .cache/cluster-stack. Jars are linked from an existing native stack when
 * one is found (else Maven fetches them once).
 */
import { join } from 'node:path';
import { loadConfig } from '../../engine/shared/config';
import type { Config } from '../../engine/shared/config';
import { NativeClusterProvider } from '../../main/stack/native-cluster';
import { NativeStackProvider } from '../../main/stack/native-provider';
import { linkJars, ROOT } from '../faults/fault-stack';

export const NODES = 3;
const HOST = process.env.TOPK_CLUSTER_HOST ?? '127.0.0.2';
const PORTS = {
  kafka: Number(process.env.TOPK_CLUSTER_KAFKA_PORT ?? 29092),
  cassandra: Number(process.env.TOPK_CLUSTER_CASSANDRA_PORT ?? 29042),
  redis: Number(process.env.TOPK_CLUSTER_REDIS_PORT ?? 26379),
};

export function clusterDataDir(): string {
  return process.env.TOPK_CLUSTER_DATA_DIR ?? join(ROOT, '.cache', 'cluster-stack');
}

/** The app's settings for the cluster: RF 3 keyspace at LOCAL_QUORUM, topics RF 3 with min ISR 2 (producers send acks=all). */
export function clusterConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    env: {
      TOPK_DATA_DIR: clusterDataDir(),
      TOPK_API_TOKEN: 'cluster-suite-token',
      TOPK_KAFKA_BROKERS: `${HOST}:${PORTS.kafka}`,
      TOPK_CASSANDRA_CONTACT_POINTS: `${HOST}:${PORTS.cassandra}`,
      TOPK_REDIS_URL: `redis://${HOST}:${PORTS.redis}`,
      TOPK_CASSANDRA_REPLICATION: JSON.stringify({ class: 'NetworkTopologyStrategy', datacenter1: NODES }),
      TOPK_CASSANDRA_CONSISTENCY: 'LOCAL_QUORUM',
      TOPK_TOPIC_REPLICATION: String(NODES),
      TOPK_TOPIC_MIN_ISR: '2',
      TOPK_TOPIC_PARTITIONS: '6',
      TOPK_LOG_LEVEL: 'warn',
      ...env,
    },
    persistToken: false,
  });
}

/** The cluster provider plus what the suite needs: every node's endpoint in the app's config. */
export function clusterStack(base: Config): { provider: NativeClusterProvider; config: Config } {
  const provider = new NativeClusterProvider(base, { nodes: NODES, startTimeoutMs: 400_000 });
  linkJars(new NativeStackProvider(base));
  const e = provider.endpoints();
  // every node named, so a client that starts while one is down still finds the others
  const config = { ...base, kafkaBrokers: e.kafkaBrokers, cassandraContactPoints: e.cassandraContactPoints };
  return { provider, config };
}
