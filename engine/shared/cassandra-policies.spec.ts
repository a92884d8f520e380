import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { createCassandra } from './cassandra';
import { clientPolicies, MAX_RETRIES, NextNodeRetryPolicy, READ, RECONNECT_BASE_MS, RECONNECT_MAX_MS, SPECULATIVE_DELAY_MS } from './cassandra-policies';
import { createLogger } from './logger';
import { oneRow, run, streamRows } from './store/rows';
import type { CassandraClient } from './cassandra';

/** the driver's decision codes (untyped in its declarations) */
const { retryDecision } = cassandra.policies.retry.RetryPolicy as unknown as { retryDecision: { rethrow: number; retry: number } };
const LQ = cassandra.types.consistencies.localQuorum;

/** the driver's own resolution of a statement's options against a client's defaults (what it consults before a retry or a speculative execution) */
const { DefaultExecutionOptions } = createRequire(import.meta.url)('cassandra-driver/lib/execution-options.js') as {
  DefaultExecutionOptions: { create(o: object | null, c: cassandra.Client): cassandra.ExecutionOptions };
};

function info(idempotent: boolean, nbRetry: number): cassandra.policies.retry.OperationInfo {
  return { query: 'SELECT 1', nbRetry, executionOptions: { isIdempotent: () => idempotent } as cassandra.ExecutionOptions };
}

describe('NextNodeRetryPolicy', () => {
  const p = new NextNodeRetryPolicy();

  it('sends an idempotent statement to the next node after a read timeout, an unavailable answer or a request error, MAX_RETRIES times', () => {
    for (let n = 0; n < MAX_RETRIES; n++) {
      // 1 of 2 replicas answered: the driver's default gives up here
      expect(p.onReadTimeout(info(true, n), LQ, 1, 2, false)).toMatchObject({ decision: retryDecision.retry, useCurrentHost: false, consistency: LQ });
      expect(p.onUnavailable(info(true, n), LQ, 2, false)).toMatchObject({ decision: retryDecision.retry, useCurrentHost: false });
      expect(p.onRequestError(info(true, n), LQ, new Error('Socket was closed'))).toMatchObject({ decision: retryDecision.retry, useCurrentHost: false });
    }
    expect(p.onReadTimeout(info(true, MAX_RETRIES), LQ, 1, 2, false).decision).toBe(retryDecision.rethrow);
    expect(p.onUnavailable(info(true, MAX_RETRIES), LQ, 2, false).decision).toBe(retryDecision.rethrow);
    expect(p.onRequestError(info(true, MAX_RETRIES), LQ, new Error('x')).decision).toBe(retryDecision.rethrow);
  });

  it('keeps the driver default for statements that are not idempotent (a counter update is never sent twice)', () => {
    expect(p.onRequestError(info(false, 0), LQ, new Error('Socket was closed')).decision).toBe(retryDecision.rethrow);
    expect(p.onReadTimeout(info(false, 0), LQ, 1, 2, false).decision).toBe(retryDecision.rethrow);
    expect(p.onWriteTimeout(info(false, 0), LQ, 1, 2, 'COUNTER').decision).toBe(retryDecision.rethrow);
    expect(p.onWriteTimeout(info(true, 0), LQ, 1, 2, 'SIMPLE').decision).toBe(retryDecision.rethrow);
  });
});

describe('client policies', () => {
  it('retry on the next node, one speculative execution after SPECULATIVE_DELAY_MS, reconnection at most RECONNECT_MAX_MS apart', () => {
    const pol = clientPolicies()!;
    expect(pol.retry).toBeInstanceOf(NextNodeRetryPolicy);
    const plan = pol.speculativeExecution!.newPlan('ks', 'SELECT 1');
    expect([plan.nextExecution({} as cassandra.Host), plan.nextExecution({} as cassandra.Host)]).toEqual([SPECULATIVE_DELAY_MS, -1]);
    const delays = [...take(pol.reconnection!.newSchedule(), 12)];
    // ± 15 % jitter, never beyond the maximum
    expect(delays[0]).toBeGreaterThanOrEqual(RECONNECT_BASE_MS * 0.85);
    expect(delays[0]).toBeLessThanOrEqual(RECONNECT_BASE_MS * 1.15);
    expect(Math.max(...delays)).toBeLessThanOrEqual(RECONNECT_MAX_MS);
    expect(delays.at(-1)).toBeGreaterThanOrEqual(RECONNECT_MAX_MS * 0.85);
  });

  it('the app client uses them; its statements are not idempotent unless marked, READ is', () => {
    const client = createCassandra({ cassandraContactPoints: ['127.0.0.1:1'], cassandraLocalDc: 'datacenter1', keyspace: 'k' }, createLogger('spec', { level: 'silent' }));
    expect((client as unknown as { options: cassandra.ClientOptions }).options.policies!.retry).toBeInstanceOf(NextNodeRetryPolicy);
    expect(DefaultExecutionOptions.create({ prepare: true }, client).isIdempotent()).toBe(false);
    expect(DefaultExecutionOptions.create(READ, client).isIdempotent()).toBe(true);
    expect(DefaultExecutionOptions.create({ ...READ, fetchSize: 10 }, client).isIdempotent()).toBe(true);
  });
});

describe('which statements are marked', () => {
  /** records the options each statement is sent with */
  function recorder(): { db: CassandraClient; sent: Array<{ query: string; options: object }> } {
    const sent: Array<{ query: string; options: object }> = [];
    const empty = { rows: [], pageState: null, first: () => null };
    const db = { execute: async (query: string, _p: unknown[], options: object) => (sent.push({ query, options }), empty) } as unknown as CassandraClient;
    return { db, sent };
  }

  it('streamRows and oneRow send reads as idempotent; run (writes) does not', async () => {
    const { db, sent } = recorder();
    for await (const _ of streamRows(db, 'SELECT a FROM t', [], (r) => r)) void _;
    await oneRow(db, 'SELECT a FROM t WHERE k = ?', [1], (r) => r);
    await run(db, 'UPDATE c SET n = n + 1 WHERE k = ?', [1]);
    expect(sent.map((s) => (s.options as { isIdempotent?: boolean }).isIdempotent)).toEqual([true, true, undefined]);
  });

  it('every direct SELECT of every store module passes READ, and no counter update or other write does', () => {
    const dir = join(import.meta.dirname, 'store');
    // rows.ts is covered above (its statements are parameters)
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && f !== 'rows.ts');
    expect(files).toContain('counts.ts');
    for (const f of files) {
      const src = readFileSync(join(dir, f), 'utf8');
      const consts = new Map([...src.matchAll(/const (\w+) = [`'](\w+)/g)].map((m) => [m[1]!, m[2]!.toUpperCase()]));
      for (const line of src.split('\n').filter((l) => /\.execute\(/.test(l))) {
        const arg = /\.execute\(\s*(\w+|'[^']*'|`[^`]*`)/.exec(line)?.[1] ?? '';
        const verb = arg.startsWith("'") || arg.startsWith('`') ? arg.slice(1).split(/\s/)[0]!.toUpperCase() : (consts.get(arg) ?? '?');
        const marked = /\bREAD\b/.test(line);
        expect({ f, line: line.trim(), marked }).toEqual({ f, line: line.trim(), marked: verb === 'SELECT' });
      }
    }
  });
});

function* take<T>(it: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) yield it.next().value as T;
}
