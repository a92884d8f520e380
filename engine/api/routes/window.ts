import type { FastifyRequest } from 'fastify';
import { HttpError } from '../../shared/http-error';
import type { DayWindow } from '../days';
import { dayStart, lastDays, window } from '../days';
import { cacheQuery, dateSchema } from '../schemas';

export interface WindowQuery {
  days?: number;
  from?: string;
  to?: string;
}

export function windowQuerySchema(retentionDays: number) {
  return {
    days: { type: 'integer', minimum: 1, maximum: retentionDays, description: `last N UTC days including today (1..${retentionDays}, default ${retentionDays}); not with from/to` },
    from: { ...dateSchema, description: 'first UTC day (YYYY-MM-DD), with `to`' },
    to: { ...dateSchema, description: 'last UTC day (YYYY-MM-DD, inclusive), with `from`' },
  } as const;
}

/** Query of a paged ranking: the window, limit/offset, cache bypass. */
export interface PageQuery extends WindowQuery {
  limit: number;
  offset: number;
  cache?: string;
}

/** The window an answer covers, as the ranking and insight answers state it. */
export const windowAnswerProps = {
  from: { type: 'string', description: 'first UTC day' },
  to: { type: 'string', description: 'last UTC day (inclusive)' },
  days: { type: 'integer' },
} as const;

/** The schema of `PageQuery`. */
export function pageQuerySchema(retentionDays: number) {
  return {
    type: 'object',
    properties: {
      ...windowQuerySchema(retentionDays),
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
      offset: { type: 'integer', minimum: 0, maximum: 100_000, default: 0 },
      ...cacheQuery,
    },
  } as const;
}

/**
 * How the OpenAPI document states the window: `days`, or `from` with `to`,
 * never both (resolveWindow answers 400 otherwise). Dates must also be real
 * calendar days, `from` ≤ `to`, and the span at most the retention: rules a
 * JSON schema cannot state between two values; the descriptions say them.
 */
export const windowQueryObject = {
  name: 'window',
  properties: ['days', 'from', 'to'],
  description: 'the day window: `days` (last N UTC days), or `from` and `to` (UTC days, inclusive, `from` ≤ `to`, at most TOPK_RETENTION_DAYS apart); not both',
  constraint: {
    anyOf: [
      { description: 'last N days', not: { anyOf: [{ required: ['from'] }, { required: ['to'] }] } },
      { description: 'from/to', required: ['from', 'to'], not: { required: ['days'] } },
    ],
  },
};

/** The day window of a request: `days`, or `from`+`to` (span at most the retention). */
export function resolveWindow(q: WindowQuery, retentionDays: number, now: number): DayWindow {
  if (q.from === undefined && q.to === undefined) return lastDays(q.days ?? retentionDays, now);
  if (q.days !== undefined) throw new HttpError(400, 'invalid_request', 'use either days or from/to, not both', 'days');
  if (q.from === undefined) throw new HttpError(400, 'invalid_request', 'from is required with to', 'from');
  if (q.to === undefined) throw new HttpError(400, 'invalid_request', 'to is required with from', 'to');
  if (Number.isNaN(dayStart(q.from))) throw new HttpError(400, 'invalid_request', 'from is not a valid date', 'from');
  if (Number.isNaN(dayStart(q.to))) throw new HttpError(400, 'invalid_request', 'to is not a valid date', 'to');
  if (q.from > q.to) throw new HttpError(400, 'invalid_request', 'from must not be after to', 'from');
  // the span from the dates, before any list of days is built (a window of thousands of years must cost nothing)
  const span = Math.round((dayStart(q.to) - dayStart(q.from)) / 86_400_000) + 1;
  if (span > retentionDays) {
    throw new HttpError(400, 'invalid_request', `the window spans ${span} days; at most ${retentionDays} (TOPK_RETENTION_DAYS) are kept`, 'from');
  }
  return window(q.from, q.to);
}

/** `cache=bypass` or `Cache-Control: no-cache` asks for a fresh answer (benchmarks measure misses with it). */
export function wantsBypass(req: FastifyRequest): boolean {
  const q = req.query as { cache?: string } | undefined;
  if (q?.cache === 'bypass') return true;
  const cc = req.headers['cache-control'];
  return typeof cc === 'string' && /\bno-cache\b|\bno-store\b/i.test(cc);
}
