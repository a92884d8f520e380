import { join } from 'node:path';
import type { Config } from '../../engine/shared/config';
import { cassandraStoragePort } from './native-provider';
import { fillTemplate } from './native-service';
import { redisHostPort, splitHostPort } from './probes';
import { StackError } from './stack-error';

/** One Kafka broker or Cassandra node of the cluster. */
export interface ClusterNode {
  service: 'kafka' | 'cassandra';
  /** 1-based */
  index: number;
  /** e.g. cassandra-2 */
  id: string;
  host: string;
  port: number;
  /** Kafka's controller port, Cassandra's storage port */
  peerPort: number;
  dir: string;
  endpoint: string;
}

/** Where every node of a cluster lives: addresses, ports and folders. */
export interface ClusterPlan {
  kafka: ClusterNode[];
  cassandra: ClusterNode[];
  redis: { host: string; port: number; dir: string; endpoint: string };
}

export const MAX_NODES = 9;

/**
 * The node addresses: the configured list when it names `nodes` endpoints, else the first one's
 * port on consecutive loopback addresses from the first one's (127.0.0.1, .2, .3 as ccm does).
 */
export function nodeAddresses(configured: string[], nodes: number, defaultPort: number, what: string): { host: string; port: number }[] {
  const parsed = configured.map((e) => splitHostPort(e, defaultPort));
  if (parsed.length === nodes) return parsed;
  if (parsed.length !== 1) throw new StackError(`${what} names ${parsed.length} endpoints but the cluster has ${nodes} nodes: name one (the others follow on the next loopback addresses) or all ${nodes}`, 'CONFIG');
  const first = parsed[0]!;
  const m = /^127\.(\d+)\.(\d+)\.(\d+)$/.exec(first.host);
  if (!m || Number(m[3]) + nodes - 1 > 254) {
    throw new StackError(`${what}: ${first.host} is not a loopback address with ${nodes - 1} more after it; name every node's address instead`, 'CONFIG');
  }
  return Array.from({ length: nodes }, (_, i) => ({ host: `127.${m[1]}.${m[2]}.${Number(m[3]) + i}`, port: first.port }));
}

/** Evenly spaced Murmur3 tokens, one per node (the ring is -2^63 .. 2^63-1). */
export function ringTokens(nodes: number): string[] {
  const span = 2n ** 64n;
  return Array.from({ length: nodes }, (_, i) => String(-(2n ** 63n) + (span * BigInt(i)) / BigInt(nodes)));
}

/** The cluster's layout under `root` from the configured endpoints; refuses one the nodes cannot share. */
export function clusterPlan(config: Config, nodes: number, root: string): ClusterPlan {
  const make = (service: 'kafka' | 'cassandra', list: string[], defaultPort: number, what: string) => {
    const addrs = nodeAddresses(list, nodes, defaultPort, what);
    if (service === 'cassandra' && new Set(addrs.map((a) => a.port)).size > 1) throw new StackError(`${what}: every Cassandra node needs the same CQL port (the driver takes one), got ${addrs.map((a) => a.port).join(', ')}`, 'CONFIG');
    if (new Set(addrs.map((a) => a.host)).size !== addrs.length) throw new StackError(`${what}: each node needs its own address, got ${addrs.map((a) => a.host).join(', ')}`, 'CONFIG');
    return addrs.map(({ host, port }, i): ClusterNode => ({
      service,
      index: i + 1,
      id: `${service}-${i + 1}`,
      host,
      port,
      peerPort: service === 'kafka' ? port + 1 : cassandraStoragePort(port),
      dir: join(root, `${service}-${i + 1}`),
      endpoint: `${host}:${port}`,
    }));
  };
  const r = redisHostPort(config.redisUrl);
  return {
    kafka: make('kafka', config.kafkaBrokers, 9092, 'TOPK_KAFKA_BROKERS'),
    cassandra: make('cassandra', config.cassandraContactPoints, 9042, 'TOPK_CASSANDRA_CONTACT_POINTS'),
    redis: { ...r, dir: join(root, 'redis'), endpoint: `${r.host}:${r.port}` },
  };
}

/** A Kafka node's server.properties: a broker and a voter of the one controller quorum. */
export function kafkaNodeProperties(stackDir: string, plan: ClusterPlan, n: ClusterNode, dataDir: string): string {
  const nodes = plan.kafka.length;
  return fillTemplate(stackDir, 'kafka/server.properties', {
    NODE_ID: n.index,
    VOTERS: plan.kafka.map((k) => `${k.index}@${k.host}:${k.peerPort}`).join(','),
    HOST: n.host,
    PORT: n.port,
    CONTROLLER_PORT: n.peerPort,
    LOG_DIRS: dataDir,
    REPLICATION: nodes,
    MIN_ISR: Math.min(2, nodes),
  });
}

/** A Cassandra node's cassandra.yaml: the first node is the seed, tokens evenly spaced. */
export function cassandraNodeYaml(stackDir: string, plan: ClusterPlan, n: ClusterNode): string {
  const seed = plan.cassandra[0]!;
  return fillTemplate(stackDir, 'cassandra/cassandra.yaml', {
    HOST: n.host,
    PORT: n.port,
    STORAGE_PORT: n.peerPort,
    DATA_DIR: n.dir,
    LISTEN: n.host,
    SEEDS: `${seed.host}:${seed.peerPort}`,
    INITIAL_TOKEN: ringTokens(plan.cassandra.length)[n.index - 1]!,
    HINTS: 'true',
    DYNAMIC_SNITCH: 'true',
  });
}
