import { DAY_MS } from '../../shared/listen-identity';
import type { CrawlContext } from './types';

/**
 * Where a cursor-based crawl reads from, in seconds since the epoch: the cursor (the newest
 * listened_at crawled before, when the source keeps one) minus the look-back window — late
 * listens such as offline scrobbles arrive with a listened_at below the cursor — but never below
 * the retention horizon.
 */
export function crawlWindow(ctx: CrawlContext): { cursor: number | null; from: number } {
  const horizon = Math.floor((ctx.now - ctx.retentionDays * DAY_MS) / 1000);
  const cursor = ctx.cursor !== null && /^\d+$/.test(ctx.cursor) ? Number(ctx.cursor) : null;
  return { cursor, from: Math.max(horizon, cursor === null ? 0 : cursor - Math.floor(ctx.lookbackMs / 1000)) };
}
