import cassandra from 'cassandra-driver';

const { RetryPolicy } = cassandra.policies.retry;
type OperationInfo = cassandra.policies.retry.OperationInfo;
type DecisionInfo = cassandra.policies.retry.DecisionInfo;
type Level = cassandra.types.consistencies;

/** Options of a statement that is safe to send again (every read): the driver then retries it on another node and may race a slow node. */
export const READ = { prepare: true, isIdempotent: true } as const;

/** How often one idempotent statement is sent again after a failure (the cluster keeps three replicas: each node once). */
export const MAX_RETRIES = 2;
/** An idempotent statement without an answer after this long is also sent to the next node; the first answer wins. */
export const SPECULATIVE_DELAY_MS = 1000;
export const MAX_SPECULATIVE = 1;
/** Reconnection to a node that went down: 0.5 s, doubling, never more than 10 s apart, so a node that is back is used again within seconds. */
export const RECONNECT_BASE_MS = 500;
export const RECONNECT_MAX_MS = 10_000;

/**
 * The driver's retry rules, but an idempotent statement that failed on one coordinator goes to the
 * NEXT node of the query plan, up to MAX_RETRIES times: a socket closed by a killed node, a client
 * timeout, an overloaded or bootstrapping node (the driver asks `onRequestError` only for idempotent
 * statements), a server read timeout (a cold replica answering late; the default only retries when
 * enough replicas answered) and an unavailable answer. Writes that are not idempotent (counter
 * updates) keep the driver's default: never sent twice.
 */
export class NextNodeRetryPolicy extends RetryPolicy {
  override onReadTimeout(info: OperationInfo, consistency: Level, received: number, blockFor: number, isDataPresent: boolean): DecisionInfo {
    if (!idempotent(info)) return super.onReadTimeout(info, consistency, received, blockFor, isDataPresent);
    return this.nextNode(info, consistency);
  }

  override onUnavailable(info: OperationInfo, consistency: Level, required: number, alive: boolean): DecisionInfo {
    if (!idempotent(info)) return super.onUnavailable(info, consistency, required, alive);
    return this.nextNode(info, consistency);
  }

  override onRequestError(info: OperationInfo, consistency: Level, _err: Error): DecisionInfo {
    if (!idempotent(info)) return this.rethrowResult();
    return this.nextNode(info, consistency);
  }

  /** the same statement at the same level on the next node of the plan, while retries are left */
  private nextNode(info: OperationInfo, consistency: Level): DecisionInfo {
    return info.nbRetry < MAX_RETRIES ? this.retryResult(consistency, false) : this.rethrowResult();
  }
}

function idempotent(info: OperationInfo): boolean {
  return info.executionOptions.isIdempotent() === true;
}

/** The client's policies: retries on the next node, one speculative execution for slow idempotent statements, quick reconnection. */
export function clientPolicies(): cassandra.ClientOptions['policies'] {
  return {
    retry: new NextNodeRetryPolicy(),
    speculativeExecution: new cassandra.policies.speculativeExecution.ConstantSpeculativeExecutionPolicy(SPECULATIVE_DELAY_MS, MAX_SPECULATIVE),
    reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(RECONNECT_BASE_MS, RECONNECT_MAX_MS, false),
  };
}
