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
  signal: AbortSignal;
  log: Logger;
}

export interface SourcePage {
  listens: SourceListen[];
  /** the cursor to save once every listen of this page (and of the pages before it) is acknowledged by Kafka */
  cursor?: string;
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
  /** validate a connect body; throws ConfigValidationError */
  parseConfig(body: unknown): { config: Record<string, unknown>; credentials?: string };
  crawl(ctx: CrawlContext): AsyncIterable<SourcePage>;
}
