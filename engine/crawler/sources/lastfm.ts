import { crawlWindow } from './crawl-window';
import { fromLastfmTrack } from '../import/entry-parsers';
import { ConfigValidationError, connectBody, PermanentSourceError } from './types';
import { SourceRequests } from './source-requests';
import type { AnswerVerdict, SourceHttpOptions } from './source-requests';
import type { CrawlContext, SourceAdapter, SourceListen, SourcePage } from './types';

/** `minIntervalMs` defaults to 200 ms (5 requests/s); a temporary Last.fm error counts as a 5xx. */
export interface LastfmOptions extends SourceHttpOptions {
  /** API root, e.g. https://ws.audioscrobbler.com/2.0/ (TOPK_LASTFM_URL) */
  baseUrl: string;
  /** tracks per page, ≤ 200 (the API's maximum) */
  pageSize?: number;
  /** error-29 (rate limit exceeded) answers tolerated for one request */
  maxRateLimited?: number;
}

/** Last.fm error codes (last.fm/api/errorcodes) that no retry can fix, with what they mean for the user. */
const PERMANENT: Record<number, { code: string; text: (user: string) => string }> = {
  6: { code: 'unknown_user', text: (u) => `Last.fm user "${u}" does not exist` },
  10: { code: 'invalid_api_key', text: () => 'Last.fm refused the API key: it is not a valid key' },
  17: { code: 'private_profile', text: (u) => `Last.fm user "${u}" keeps their listening history private (login required)` },
  26: { code: 'api_key_suspended', text: () => 'Last.fm suspended this API key' },
};
/** operation failed, service offline, temporarily unavailable: worth a retry */
const TEMPORARY = new Set([8, 11, 16]);
const RATE_LIMITED = 29;

interface RecentTracks {
  track?: unknown;
  '@attr'?: { totalPages?: unknown; page?: unknown; total?: unknown };
}

/** The white space String.prototype.trim() removes, spelled out (a JSON schema pattern's `\\s` differs between engines). */
const TRIM_WS = '\\t\\n\\u000b\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * Last.fm via `user.getRecentTracks` with the user's own API key (stored
 * encrypted like every credential): pages of 200 from `from` (the cursor
 * minus the look-back window, or the retention horizon) to the crawl's start,
 * paged by `@attr.totalPages`, newest first; the now-playing entry is skipped.
 */
export class LastfmSource implements SourceAdapter {
  readonly id = 'lastfm';
  readonly concurrency = 1;
  readonly defaultIntervalSeconds = 900;
  private readonly requests: SourceRequests;

  constructor(private readonly o: LastfmOptions) {
    // Last.fm's rate limit is the API key's: one error 29 holds every request of this process
    this.requests = new SourceRequests(
      { ...o, minIntervalMs: o.minIntervalMs ?? 200 },
      { source: 'lastfm', service: 'Last.fm', maxLimited: o.maxRateLimited ?? 10, limitedBackoffBaseMs: 1000, limitedWait: 'pace' },
    );
  }

  readonly configSchema = {
    title: 'LastfmConfig',
    type: 'object',
    properties: {
      username: { type: 'string', pattern: `^[${TRIM_WS}]*[A-Za-z][A-Za-z0-9_-]{1,14}[${TRIM_WS}]*$`, description: 'Last.fm user name (2–15 letters, digits, "_" or "-", a letter first)' },
      api_key: { type: 'string', pattern: `^[${TRIM_WS}]*[0-9A-Fa-f]{32}[${TRIM_WS}]*$`, description: 'Last.fm API key, 32 hexadecimal characters (stored encrypted)' },
    },
    required: ['username', 'api_key'],
    additionalProperties: false,
  };

  parseConfig(body: unknown): { config: Record<string, unknown>; credentials?: string } {
    const b = connectBody(body, ['username', 'api_key']);
    const u = b.username;
    // Last.fm names: 2–15 characters, a letter first, then letters, digits, "_" or "-"
    if (typeof u !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{1,14}$/.test(u.trim())) {
      throw new ConfigValidationError('username must be a Last.fm user name (2–15 letters, digits, "_" or "-", starting with a letter)', 'username');
    }
    if (typeof b.api_key !== 'string' || !/^[0-9a-f]{32}$/i.test(b.api_key.trim())) {
      throw new ConfigValidationError('api_key must be a Last.fm API key (32 hexadecimal characters, from last.fm/api/account/create)', 'api_key');
    }
    return { config: { username: u.trim() }, credentials: b.api_key.trim() };
  }

  async *crawl(ctx: CrawlContext): AsyncIterable<SourcePage> {
    const username = String(ctx.config.username ?? '');
    if (!ctx.credentials) throw new PermanentSourceError('no Last.fm API key is stored for this source: connect it again with one', 'invalid_api_key');
    const { cursor, from } = crawlWindow(ctx);
    // a fixed upper bound keeps the pages stable while new scrobbles arrive during the crawl
    const to = Math.floor(ctx.now / 1000);
    const limit = Math.min(200, this.o.pageSize ?? 200);
    let newest = cursor ?? 0;
    let totalPages = 1;
    for (let page = 1; page <= totalPages; page++) {
      if (ctx.signal.aborted) return;
      const rt = await this.recentTracks(ctx, username, { limit, from, to, page });
      const tp = Number(rt['@attr']?.totalPages ?? 0);
      totalPages = Number.isSafeInteger(tp) && tp >= 0 ? tp : 0;
      // one track comes as an object, not an array of one
      const raw = Array.isArray(rt.track) ? rt.track : rt.track && typeof rt.track === 'object' ? [rt.track] : [];
      const listens: SourceListen[] = [];
      let oldest = Infinity;
      for (const t of raw) {
        if (typeof t !== 'object' || t === null) continue;
        const item = fromLastfmTrack(t as Record<string, unknown>);
        if ('skipped' in item) continue; // now playing, or no date / artist / title
        const sec = item.listen.listened_at / 1000;
        if (sec < from || sec > to) continue;
        oldest = Math.min(oldest, sec);
        if (sec > newest) newest = sec;
        listens.push(item.listen);
      }
      if (raw.length === 0) break;
      yield cursor !== null && oldest <= cursor ? { listens, lookback: true } : { listens };
    }
    if (newest > 0 && newest !== cursor) yield { listens: [], cursor: String(newest) };
  }

  private async recentTracks(ctx: CrawlContext, username: string, q: { limit: number; from: number; to: number; page: number }): Promise<RecentTracks> {
    const root = this.o.baseUrl.endsWith('/') ? this.o.baseUrl : this.o.baseUrl + '/';
    const url = new URL(root);
    url.searchParams.set('method', 'user.getrecenttracks');
    url.searchParams.set('user', username);
    url.searchParams.set('api_key', ctx.credentials!);
    url.searchParams.set('format', 'json');
    url.searchParams.set('limit', String(q.limit));
    url.searchParams.set('from', String(q.from));
    url.searchParams.set('to', String(q.to));
    url.searchParams.set('page', String(q.page));
    const headers = { accept: 'application/json', 'user-agent': 'HeavyRotation/0.1' };
    return this.requests.get(ctx, url, headers, (res, text) => recentTracksAnswer(res.status, text, username));
  }
}

/** A `user.getRecentTracks` answer: its tracks, a retry (rate limit, temporary error, 5xx, 200 without JSON), or a thrown permanent failure. */
function recentTracksAnswer(status: number, text: string, username: string): AnswerVerdict<RecentTracks> {
  let body: { error?: unknown; message?: unknown; recenttracks?: RecentTracks } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const code = typeof body?.error === 'number' ? body.error : undefined;
  if (status === 200 && code === undefined && body?.recenttracks && typeof body.recenttracks === 'object') return { value: body.recenttracks };
  const message = typeof body?.message === 'string' ? body.message : text.slice(0, 200);
  if (code === RATE_LIMITED || status === 429) {
    return { limited: { error: 'Last.fm kept answering "rate limit exceeded" (error 29)', msg: 'Last.fm rate limit exceeded (error 29); waiting' } };
  }
  if (code !== undefined && PERMANENT[code]) throw new PermanentSourceError(`${PERMANENT[code].text(username)} (Last.fm error ${code}: ${message})`, PERMANENT[code].code);
  const answered = `Last.fm answered ${status}${code !== undefined ? ` error ${code}` : ''}: ${message}`;
  if ((code !== undefined && TEMPORARY.has(code)) || status >= 500 || (status === 200 && body === undefined)) {
    return { temporary: { error: answered, msg: 'Last.fm temporary error; retrying', log: { status, lastfm_error: code } } };
  }
  throw new PermanentSourceError(answered, 'bad_request');
}
