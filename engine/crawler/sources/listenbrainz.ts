import { listenBrainzSongId } from '../../shared/listen-identity';
import type { ListenBrainzTrackMetadata } from '../../shared/listen-identity';
import { crawlWindow } from './crawl-window';
import { ConfigValidationError, connectBody, PermanentSourceError } from './types';
import { SourceRequests } from './source-requests';
import type { AnswerVerdict, SourceHttpOptions } from './source-requests';
import type { CrawlContext, SourceAdapter, SourceListen, SourcePage } from './types';

export interface ListenBrainzOptions extends SourceHttpOptions {
  /** API root, e.g. https://api.listenbrainz.org (TOPK_LISTENBRAINZ_URL) */
  baseUrl: string;
  /** listens per request, ≤ 1000 (MAX_ITEMS_PER_GET) */
  pageSize?: number;
  /** 429 answers tolerated for one request */
  max429?: number;
}

interface LbListen {
  listened_at?: unknown;
  recording_msid?: unknown;
  track_metadata?: ListenBrainzTrackMetadata | null;
}

/** A ListenBrainz listen → SourceListen, or undefined when it lacks what identity needs. */
export function fromListenBrainz(l: LbListen): SourceListen | undefined {
  // seconds; a value whose milliseconds are not a safe integer (1e308 → Infinity) is no time
  if (typeof l.listened_at !== 'number' || !Number.isSafeInteger(l.listened_at * 1000) || l.listened_at <= 0) return undefined;
  const tm = l.track_metadata;
  const artist = typeof tm?.artist_name === 'string' ? tm.artist_name.trim() : '';
  const title = typeof tm?.track_name === 'string' ? tm.track_name.trim() : '';
  if (!artist || !title) return undefined;
  const songId = listenBrainzSongId(l);
  if (!songId) return undefined;
  const out: SourceListen = { listened_at: l.listened_at * 1000, song_id: songId, title, artist };
  if (typeof tm?.release_name === 'string' && tm.release_name.trim()) out.album = tm.release_name.trim();
  return out;
}

/** What String.prototype.trim() removes besides the control characters: the white space a user name cannot consist of. */
const TRIMMED = '\\u0000-\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

export class ListenBrainzSource implements SourceAdapter {
  readonly id = 'listenbrainz';
  readonly concurrency = 2;
  readonly defaultIntervalSeconds = 900;
  private readonly requests: SourceRequests;

  constructor(private readonly o: ListenBrainzOptions) {
    // a 429 holds only the request that met it; the X-RateLimit window paces the others (noteRateLimit)
    this.requests = new SourceRequests(o, { source: 'listenbrainz', service: 'ListenBrainz', maxLimited: o.max429 ?? 20, limitedBackoffBaseMs: 500, limitedWait: 'sleep' });
  }

  readonly configSchema = {
    title: 'ListenBrainzConfig',
    type: 'object',
    properties: {
      // no '/' or control character, not blank (the character classes spell out what String.prototype.trim() removes)
      username: { type: 'string', minLength: 1, maxLength: 100, pattern: `^[^/\\u0000-\\u001f]*[^/${TRIMMED}][^/\\u0000-\\u001f]*$`, description: 'ListenBrainz user name' },
      token: { type: 'string', minLength: 1, maxLength: 200, description: 'ListenBrainz user token (optional; stored encrypted)' },
    },
    required: ['username'],
    additionalProperties: false,
  };

  parseConfig(body: unknown): { config: Record<string, unknown>; credentials?: string } {
    const b = connectBody(body, ['username', 'token']);
    const u = b.username;
    // eslint-disable-next-line no-control-regex
    if (typeof u !== 'string' || u.trim() === '' || [...u].length > 100 || /[/\u0000-\u001f]/.test(u)) {
      throw new ConfigValidationError('username must be a ListenBrainz user name', 'username');
    }
    if (b.token !== undefined && (typeof b.token !== 'string' || b.token.length === 0 || [...b.token].length > 200)) {
      throw new ConfigValidationError('token must be a ListenBrainz user token', 'token');
    }
    return { config: { username: u.trim() }, ...(typeof b.token === 'string' ? { credentials: b.token } : {}) };
  }

  /**
   * Pages newest-first with max_ts (the API takes max_ts or min_ts, not both)
   * until it reaches the cursor (the newest listened_at, seconds, of the last
   * crawl) minus the look-back window, or the retention horizon. The cursor is yielded after the last page,
   * so it advances only when every page was published.
   */
  async *crawl(ctx: CrawlContext): AsyncIterable<SourcePage> {
    const username = String(ctx.config.username ?? '');
    const count = Math.min(1000, this.o.pageSize ?? 1000);
    // late listens (offline scrobbles) arrive with a listened_at below the cursor: re-read a look-back window under it
    const { cursor, from: stopAt } = crawlWindow(ctx);
    let maxTs: number | undefined;
    let newest = cursor ?? 0;
    for (;;) {
      if (ctx.signal.aborted) return;
      const payload = await this.getListens(ctx, username, count, maxTs);
      const raw = Array.isArray(payload.listens) ? (payload.listens as LbListen[]) : [];
      if (raw.length === 0) break;
      const listens: SourceListen[] = [];
      let oldest = Infinity;
      let pageNewest = -Infinity;
      for (const l of raw) {
        const ts = typeof l.listened_at === 'number' ? l.listened_at : NaN;
        if (!Number.isFinite(ts)) continue;
        oldest = Math.min(oldest, ts);
        pageNewest = Math.max(pageNewest, ts);
        if (ts < stopAt) continue; // older than the cursor / retention: already have it or too old
        const s = fromListenBrainz(l);
        if (s) listens.push(s);
      }
      if (pageNewest > newest) newest = pageNewest;
      yield cursor !== null && oldest <= cursor ? { listens, lookback: true } : { listens };
      if (!Number.isFinite(oldest) || oldest <= stopAt || raw.length < count) break;
      // max_ts is exclusive: oldest + 1 re-reads the boundary second (dedupe absorbs the
      // overlap) so listens sharing it across pages are not lost; a page that is all one
      // second must move past it to make progress
      const next = pageNewest > oldest ? oldest + 1 : oldest;
      if (maxTs !== undefined && next >= maxTs) break;
      maxTs = next;
    }
    if (newest > 0 && newest !== cursor) yield { listens: [], cursor: String(newest) };
  }

  private async getListens(ctx: CrawlContext, username: string, count: number, maxTs: number | undefined): Promise<Record<string, unknown>> {
    const url = new URL(`${this.o.baseUrl.replace(/\/+$/, '')}/1/user/${encodeURIComponent(username)}/listens`);
    url.searchParams.set('count', String(count));
    if (maxTs !== undefined) url.searchParams.set('max_ts', String(maxTs));
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'HeavyRotation/0.1' };
    if (ctx.credentials) headers.authorization = `Token ${ctx.credentials}`;
    return this.requests.get(ctx, url, headers, (res, text) => this.listensAnswer(res, text, username));
  }

  /** A listens answer: its payload, a retry (429, 5xx), or a thrown permanent failure. */
  private listensAnswer(res: Response, text: string, username: string): AnswerVerdict<Record<string, unknown>> {
    this.noteRateLimit(res.headers);
    if (res.status === 200) {
      const body = JSON.parse(text) as { payload?: Record<string, unknown> };
      if (!body || typeof body.payload !== 'object' || body.payload === null) throw new Error('ListenBrainz answered without a payload');
      return { value: body.payload };
    }
    if (res.status === 429) return { limited: { error: 'ListenBrainz kept answering 429 Too Many Requests', msg: 'rate limited (429); waiting', waitMs: retryAfterMs(res.headers) } };
    if (res.status >= 500) return { temporary: { error: `ListenBrainz answered ${res.status} ${errorText(text)}`, msg: 'server error; retrying', log: { status: res.status } } };
    if (res.status === 404) throw new PermanentSourceError(`ListenBrainz user "${username}" does not exist`, 'unknown_user');
    if (res.status === 401 || res.status === 403) throw new PermanentSourceError(`ListenBrainz refused the token (${res.status})`, 'unauthorized');
    throw new PermanentSourceError(`ListenBrainz answered ${res.status} ${errorText(text)}`, 'bad_request');
  }

  /** X-RateLimit-Remaining / -Reset-In: the window every request of this process draws on. */
  private noteRateLimit(h: Headers): void {
    const remaining = Number(h.get('x-ratelimit-remaining') ?? NaN);
    const resetIn = Number(h.get('x-ratelimit-reset-in') ?? NaN);
    if (Number.isFinite(remaining) && Number.isFinite(resetIn)) this.requests.pacer.window(remaining, Date.now() + resetIn * 1000);
  }
}

/** Retry-After (seconds or HTTP date), else X-RateLimit-Reset-In (seconds). */
export function retryAfterMs(h: Headers): number | undefined {
  const ra = h.get('retry-after');
  if (ra !== null) {
    if (/^\d+(\.\d+)?$/.test(ra.trim())) return Number(ra) * 1000;
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  const ri = h.get('x-ratelimit-reset-in');
  if (ri !== null && Number.isFinite(Number(ri))) return Math.max(0, Number(ri) * 1000);
  return undefined;
}

function errorText(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown };
    if (typeof j.error === 'string') return j.error;
  } catch {
    /* not JSON */
  }
  return text.slice(0, 200);
}
