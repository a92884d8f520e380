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
