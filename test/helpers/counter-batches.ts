import type { QueryOptions, types } from 'cassandra-driver';
import type { CassandraClient } from '../../engine/shared/cassandra';

/** Sends the intercepted counter batch for real. */
export type SendBatch = () => Promise<types.ResultSet>;

/**
 * `db` whose counter batches go through `intercept` (which may send, delay, hold back or fail them);
 * every other call goes to `db` unchanged. The shape of a counter write that times out on the client.
 */
export function interceptCounterBatches(db: CassandraClient, intercept: (send: SendBatch) => Promise<types.ResultSet>): CassandraClient {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'batch') {
        return (queries: Parameters<CassandraClient['batch']>[0], options?: QueryOptions) => {
          const send = () => target.batch(queries, options);
          return options?.counter ? intercept(send) : send();
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
