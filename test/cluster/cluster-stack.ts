/**
 * The cluster suite's OWN native cluster: 3 Kafka brokers and 3 Cassandra nodes on the loopback
 * addresses 127.0.0.2–127.0.0.4 (private ports, never the shared dev stack on 127.0.0.1), Redis on
 * 127.0.0.2, data under .cache/cluster-stack. Jars are linked from an existing native stack when
 * one is found (else Maven fetches them once).
 */
import type { Config } from '../../engine/shared/config';
import { NativeClusterProvider } from '../../main/stack/native-cluster';
import { NativeStackProvider } from '../../main/stack/native-provider';
import { linkJars } from '../faults/fault-stack';
import { privateStack } from '../helpers/private-stack';

export const NODES = 3;
const STACK = privateStack('cluster', process.env.TOPK_CLUSTER_HOST ?? '127.0.0.2', { kafka: 29092, cassandra: 29042, redis: 26379 });

export function clusterDataDir(): string {
  return STACK.dataDir();
}

/** The app's settings for the cluster: RF 3 keyspace at LOCAL_QUORUM, topics RF 3 with min ISR 2 (producers send acks=all). */
export function clusterConfig(env: Record<string, string> = {}): Config {
  return STACK.config({
    TOPK_CASSANDRA_REPLICATION: JSON.stringify({ class: 'NetworkTopologyStrategy', datacenter1: NODES }),
    TOPK_CASSANDRA_CONSISTENCY: 'LOCAL_QUORUM',
    TOPK_TOPIC_REPLICATION: String(NODES),
    TOPK_TOPIC_MIN_ISR: '2',
    ...env,
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
