import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lastfmTrack } from '../fixtures/history-exports';
import type { Play } from '../fixtures/history-exports';

/**
 * A strict local fake of Last.fm's `user.getRecentTracks` (last.fm/api/show/user.getRecentTracks,
 * last.fm/api/errorcodes), JSON only:
 * - `GET /2.0/?method=user.getrecenttracks&user=&api_key=&format=json[&limit][&page][&from][&to]`;
 *   limit 1..200 (default 50), page ≥ 1, from/to UNIX seconds, inclusive; tracks newest first;
 *   `recenttracks.@attr` {user, page, perPage, totalPages, total}; a page of ONE track carries it
 *   as an object, not an array (the real API's quirk); a now-playing track (no date,
 *   `@attr.nowplaying`) leads page 1 when set.
 * - errors `{error, message}`: 6 invalid parameters / user not found, 10 invalid API key,
 *   17 login required (private profile), 26 suspended API key, 29 rate limit exceeded
 *   (more than `ratePerSecond` requests in a second), plus injectable errors.
 */
export class LastfmFake {
  private server: Server | undefined;
  private readonly users = new Map<string, { plays: Play[]; private: boolean; nowPlaying?: Play }>();
  readonly keys = new Set<string>();
  readonly suspendedKeys = new Set<string>();
  /** error codes (or HTTP 500 as `500`) for the next requests, in order */
  readonly inject: number[] = [];
  readonly requests: Array<{ at: number; url: string }> = [];
  /** answers with error 29 */
  rateLimited = 0;
  private window: number[] = [];

  constructor(private readonly o: { ratePerSecond?: number } = {}) {}

  addUser(name: string, plays: Play[], opts: { private?: boolean; nowPlaying?: Play } = {}): void {
    const u = this.users.get(name.toLowerCase()) ?? { plays: [], private: false };
    u.plays.push(...plays);
    u.plays.sort((a, b) => b.start - a.start);
    u.private = opts.private ?? u.private;
    if (opts.nowPlaying) u.nowPlaying = opts.nowPlaying;
    this.users.set(name.toLowerCase(), u);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/2.0/`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private error(res: ServerResponse, code: number, message: string): void {
    const status = code === 29 ? 429 : code === 6 ? 404 : code === 10 || code === 17 || code === 26 ? 403 : code === 11 || code === 16 ? 503 : 400;
    this.send(res, status, { error: code, message });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const now = Date.now();
    this.requests.push({ at: now, url: req.url ?? '' });
    const url = new URL(req.url ?? '/', 'http://fake');
    this.window = this.window.filter((t) => now - t < 1000);
    this.window.push(now);
    if (this.window.length > (this.o.ratePerSecond ?? 5)) {
      this.rateLimited++;
      return this.error(res, 29, 'Rate Limit Exceded - Your IP has made too many requests in a short period');
    }
    const injected = this.inject.shift();
    if (injected === 500) return this.send(res, 500, { error: 8, message: 'Operation failed - Most likely the backend service failed. Please try again.' });
    if (injected !== undefined) return this.error(res, injected, `injected error ${injected}`);
    if (req.method !== 'GET' || url.pathname !== '/2.0/') return this.error(res, 3, 'Invalid Method - No method with that name in this package');
    const q = url.searchParams;
    if (q.get('format') !== 'json') return this.error(res, 6, 'Invalid parameters - this fake answers format=json only');
    if ((q.get('method') ?? '').toLowerCase() !== 'user.getrecenttracks') return this.error(res, 3, 'Invalid Method - No method with that name in this package');
    const key = q.get('api_key') ?? '';
    if (this.suspendedKeys.has(key)) return this.error(res, 26, 'Suspended API key - Access for your account has been suspended, please contact Last.fm');
    if (!this.keys.has(key)) return this.error(res, 10, 'Invalid API key - You must be granted a valid key by last.fm');
    const int = (name: string, def: number, min: number, max: number): number | undefined => {
      const v = q.get(name);
      if (v === null) return def;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) return undefined;
      return Number(v);
    };
    const limit = int('limit', 50, 1, 200);
    const page = int('page', 1, 1, 1_000_000);
    const from = int('from', 0, 0, 2 ** 32);
    const to = int('to', 2 ** 32, 0, 2 ** 32);
    if (limit === undefined || page === undefined || from === undefined || to === undefined) return this.error(res, 6, 'Invalid parameters - limit is 1..200, page ≥ 1, from/to are UNIX timestamps');
    const name = q.get('user') ?? '';
    const user = this.users.get(name.toLowerCase());
    if (!user) return this.error(res, 6, 'User not found');
    if (user.private) return this.error(res, 17, 'Login: User required to be logged in');
    const inRange = user.plays.filter((p) => Math.floor(p.start / 1000) >= from && Math.floor(p.start / 1000) <= to);
    const totalPages = Math.ceil(inRange.length / limit);
    const tracks: unknown[] = inRange.slice((page - 1) * limit, page * limit).map((p) => lastfmTrack(p));
    if (page === 1 && user.nowPlaying) tracks.unshift(lastfmTrack(user.nowPlaying, true));
    const attr = { user: name, page: String(page), perPage: String(limit), totalPages: String(totalPages), total: String(inRange.length) };
    this.send(res, 200, { recenttracks: { track: tracks.length === 1 ? tracks[0] : tracks, '@attr': attr } });
  }
}
