import { backoffMs, sleep } from '../../shared/concurrency';
import type { Logger } from '../../shared/logger';
import { pacedFetch, RequestPacer } from './request-pacer';

/** What every source that reads a rate-limited HTTP service takes besides its API root. */
export interface SourceHttpOptions {
  fetch?: typeof fetch;
  /** retries of a network error or a temporary answer (5xx, a service's own temporary error) for one request */
  maxRetries?: number;
  /** minimum spacing of requests from this process */
  minIntervalMs?: number;
  /** base of the exponential backoff (tests shorten it) */
  backoffBaseMs?: number;
  /** one request, body included, may take this long before it counts as a network error (default 30 s) */
  requestTimeoutMs?: number;
}

/** A source's retry policy: how it names itself, what it tolerates, and how it waits out a rate limit. */
export interface SourceRequestPolicy {
  /** the source's id, in log lines */
  source: string;
  /** the service's name, in messages */
  service: string;
  /** rate-limited answers tolerated for one request */
  maxLimited: number;
  /** base of the backoff after a rate-limited answer that says no wait of its own */
  limitedBackoffBaseMs: number;
  /**
   * how a rate limit is waited out: `pace` holds every request of this process until it is over
   * (the limit is the process's), `sleep` holds only the request that met it
   */
  limitedWait: 'pace' | 'sleep';
}

/** What a source makes of one answer; a permanent failure it throws itself. */
export type AnswerVerdict<T> =
  | { value: T }
  /** retried on the same count as a network error; `error` is thrown when the retries are used up */
  | { temporary: { error: string; msg: string; log: Record<string, unknown> } }
  /** retried on the rate-limit count; waits `waitMs` when the service said how long, else the backoff */
  | { limited: { error: string; msg: string; waitMs?: number } };

/**
 * One source's requests to its service: paced (one RequestPacer per source, shared by its
 * concurrent crawls), each bounded by the request timeout, retried by the source's policy. A
 * network error and a temporary answer draw on one error count (`maxRetries`), a rate-limited
 * answer on another (`maxLimited`); what an answer is, the source says (`answer`).
 */
export class SourceRequests {
  readonly pacer: RequestPacer;

  constructor(
    private readonly o: SourceHttpOptions,
    private readonly policy: SourceRequestPolicy,
  ) {
    this.pacer = new RequestPacer(o.minIntervalMs ?? 0);
  }

  async get<T>(
    ctx: { signal: AbortSignal; log: Logger },
    url: URL,
    headers: Record<string, string>,
    answer: (res: Response, text: string) => AnswerVerdict<T>,
  ): Promise<T> {
    const { service, source } = this.policy;
    const base = this.o.backoffBaseMs;
    let errors = 0;
    let limited = 0;
    for (;;) {
      let got: { res: Response; text: string };
      try {
        got = await pacedFetch({ pacer: this.pacer, fetch: this.o.fetch ?? fetch, url, headers, signal: ctx.signal, timeoutMs: this.o.requestTimeoutMs ?? 30_000, service });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        if (++errors > (this.o.maxRetries ?? 5)) throw new Error(`${service} unreachable: ${(err as Error).message}`);
        await sleep(backoffMs(errors, base ?? 500), ctx.signal);
        continue;
      }
      const verdict = answer(got.res, got.text);
      if ('value' in verdict) return verdict.value;
      if ('limited' in verdict) {
        const l = verdict.limited;
        if (++limited > this.policy.maxLimited) throw new Error(l.error);
        const wait = l.waitMs ?? backoffMs(limited, base ?? this.policy.limitedBackoffBaseMs);
        ctx.log.warn({ source, wait_ms: wait }, l.msg);
        if (this.policy.limitedWait === 'pace') this.pacer.holdUntil(Date.now() + wait);
        else await sleep(wait, ctx.signal);
        continue;
      }
      const t = verdict.temporary;
      if (++errors > (this.o.maxRetries ?? 5)) throw new Error(t.error);
      const wait = backoffMs(errors, base ?? 500);
      ctx.log.warn({ source, ...t.log, wait_ms: wait }, t.msg);
      await sleep(wait, ctx.signal);
    }
  }
}
