import type { ClusterNode } from './native-cluster-layout';
import { waitFor } from './probes';

/** Until the cluster's metadata lists every broker. */
export async function waitKafkaBrokers(nodes: ClusterNode[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  await waitFor(
    'kafka brokers',
    async () => {
      const admin = new Kafka({ clientId: 'topk-cluster-check', brokers: nodes.map((n) => n.endpoint), logLevel: logLevel.NOTHING, connectionTimeout: 3000, retry: { retries: 0 } }).admin();
      try {
        await admin.connect();
        const c = await admin.describeCluster();
        return { ok: c.brokers.length === nodes.length, detail: `${c.brokers.length} of ${nodes.length} brokers registered` };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    { timeoutMs, intervalMs: 1000, signal },
  );
}

/** Until the first node sees every other one as a peer. */
export async function waitCassandraRing(nodes: ClusterNode[], localDc: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const cassandra = (await import('cassandra-driver')).default;
  await waitFor(
    'cassandra ring',
    async () => {
      const first = nodes[0]!;
      const client = new cassandra.Client({ contactPoints: [first.host], protocolOptions: { port: first.port }, localDataCenter: localDc, socketOptions: { connectTimeout: 3000, readTimeout: 5000 } });
      try {
        await client.connect();
        const rs = await client.execute('SELECT peer FROM system.peers_v2');
        const peers = rs.rows.length;
        return { ok: peers === nodes.length - 1, detail: `${peers + 1} of ${nodes.length} nodes in the ring` };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      } finally {
        await client.shutdown().catch(() => undefined);
      }
    },
    { timeoutMs, intervalMs: 1000, signal },
  );
}
