import type { Logger } from '../../shared/logger';

/** A listen as a source yields it (the crawler adds user_id, source, crawl_id, published_at). */
export interface SourceListen {
  /** ms since epoch */
  listened_at: number;
  song_id: string;
  title: string;
  artist: string;
  album?: string;
}

export interface CrawlContext {
  userId: string;
  /** the source's validated config (sources.config) */
  config: Record<string, unknown>;
  /** decrypted credentials, when the source has any */
  credentials?: string;
  /** cursor saved by the last successful page, null on the first crawl */
  cursor: string | null;
  now: number;
  retentionDays: number;
  /**
   * how far before the cursor a crawl re-reads (ms): listens that reach a source late carry an
   * older listened_at than the newest crawled one; the aggregator's dedupe makes re-reads free
   */
  lookbackMs: number;
  signal: AbortSignal;
  log: Logger;
}

export interface SourcePage {
  listens: SourceListen[];
  /** the cursor to save once every listen of this page (and of the pages before it) is acknowledged by Kafka */
  cursor?: string;
  /** a page read only because of the look-back window (it reaches below the cursor): its cost shows in the crawl record */
  lookback?: boolean;
}

/** Thrown by a source for input that can never succeed (unknown user, bad config): no retry. */
export class PermanentSourceError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'PermanentSourceError';
  }
}

export class ConfigValidationError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'ConfigValidationError';
  }
}

export interface SourceAdapter {
  readonly id: string;
  /** crawls of this source running at once in one crawler process */
  readonly concurrency: number;
  /** default schedule interval */
  readonly defaultIntervalSeconds: number;
  /**
   * JSON schema of the connect body (`PUT /v1/users/{user_id}/sources/{id}`): the API validates with it and
   * documents it; parseConfig checks the same rules (and may check more only where a JSON schema cannot).
   */
  readonly configSchema: Record<string, unknown>;
  /** validate a connect body; throws ConfigValidationError */
  parseConfig(body: unknown): { config: Record<string, unknown>; credentials?: string };
  crawl(ctx: CrawlContext): AsyncIterable<SourcePage>;
}

/** A connect body as an object holding only the `allowed` fields (ConfigValidationError naming the first other one). */
export function connectBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConfigValidationError('body must be a JSON object', 'body');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!allowed.includes(k)) throw new ConfigValidationError(`unknown field "${k}"`, k);
  return b;
}
