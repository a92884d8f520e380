import cassandra from 'cassandra-driver';
import { clientPolicies } from './cassandra-policies';
import type { CassandraConsistency } from './config-checks';
import type { Config } from './config';
import type { Logger } from './logger';

export type CassandraClient = cassandra.Client;

/**
 * A cassandra-driver client from Config. With `keyspace: false` it connects
 * without a keyspace (the migrator creates it). Close with `client.shutdown()`.
 */
export function createCassandra(
  config: Pick<Config, 'cassandraContactPoints' | 'cassandraLocalDc' | 'keyspace'> & Partial<Pick<Config, 'cassandraConsistency'>>,
  log: Logger,
  opts: { keyspace?: boolean } = {},
): cassandra.Client {
  const client = new cassandra.Client({
    contactPoints: config.cassandraContactPoints,
    localDataCenter: config.cassandraLocalDc,
    keyspace: opts.keyspace === false ? undefined : config.keyspace,
    protocolOptions: { port: portOf(config.cassandraContactPoints) },
    socketOptions: { connectTimeout: 5000, readTimeout: 15000 },
    pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 2, [cassandra.types.distance.remote]: 1 } },
    queryOptions: { prepare: true, isIdempotent: false, consistency: consistencyOf(config.cassandraConsistency ?? 'LOCAL_QUORUM') },
    // reads are marked idempotent where they are sent (READ); these policies retry and race them on other nodes
    policies: clientPolicies(),
  });
  client.on('log', (level, className, message) => {
    if (level === 'error') log.error({ component: 'cassandra-driver', className }, message);
    else if (level === 'warning') log.warn({ component: 'cassandra-driver', className }, message);
  });
  return client;
}

const LEVELS: Record<CassandraConsistency, number> = {
  ONE: cassandra.types.consistencies.one,
  TWO: cassandra.types.consistencies.two,
  THREE: cassandra.types.consistencies.three,
  QUORUM: cassandra.types.consistencies.quorum,
  ALL: cassandra.types.consistencies.all,
  LOCAL_ONE: cassandra.types.consistencies.localOne,
  LOCAL_QUORUM: cassandra.types.consistencies.localQuorum,
};

/** The driver's code for a configured consistency level (the default of every query of the client). */
export function consistencyOf(level: CassandraConsistency): number {
  return LEVELS[level];
}

/** cassandra-driver takes one port for all contact points; the first explicit one wins. */
function portOf(points: string[]): number {
  for (const p of points) {
    const m = /:(\d+)$/.exec(p);
    if (m) return Number(m[1]);
  }
  return 9042;
}

/** Whether the driver sees every node of the cluster up (a node that restarts answers only after its commit-log replay). */
export function everyNodeUp(client: cassandra.Client): boolean {
  const hosts = client.hosts.values();
  return hosts.length > 0 && hosts.every((h) => h.isUp());
}

/**
 * The same client, but its reads (statements sent as idempotent, every read of engine/shared/store)
 * run at `level`; writes keep the client's level. At ALL a read merges every replica's counter
 * shards — also one that only the node leading a timed-out counter write holds — and read-repairs
 * the others.
 */
export function readingAt(client: cassandra.Client, level: CassandraConsistency): cassandra.Client {
  const consistency = consistencyOf(level);
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'execute') {
        return (query: string, params?: cassandra.ArrayOrObject, options?: cassandra.QueryOptions) =>
          target.execute(query, params, options?.isIdempotent === true ? { ...options, consistency } : options);
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
