import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A strict local fake of the ListenBrainz API's `GET /1/user/{user_name}/listens`
 * (listenbrainz.readthedocs.io, "Core" + "Rate limiting"):
 * - max_ts / min_ts are exclusive UNIX seconds; only one of them per call (400 otherwise);
 *   count ≤ 1000 (MAX_ITEMS_PER_GET), default 25; listens always newest first;
 *   with min_ts the listens just after min_ts are returned (still in descending order).
 * - 200 `{payload: {count, user_id, listens: [...], latest_listen_ts, oldest_listen_ts}}`
 * - 400 `{code: 400, error}` on bad parameters, 404 `{code: 404, error}` for an unknown user
 * - every answer carries X-RateLimit-Limit / -Remaining / -Reset-In / -Reset; 429 when the
 *   window is used up (with Retry-After), plus injectable 429s and 500s.
 */
export interface FakeListen {
  listened_at: number;
  recording_msid: string;
  track_metadata: {
    artist_name: string;
    track_name: string;
    release_name?: string;
    additional_info?: Record<string, unknown>;
  };
}

export interface ListenBrainzFakeOptions {
  /** requests per rate-limit window (default 1000) */
  rateLimit?: number;
  /** window length in seconds (default 10) */
  windowSeconds?: number;
}

export class ListenBrainzFake {
  private server: Server | undefined;
  private readonly users = new Map<string, FakeListen[]>();
  /**
   * answers for the next requests, in order (e.g. [429, 500, 500]); `hang` never answers
   * (the client's timeout must fire), `body` sends that raw text with the status (malformed JSON)
   */
  readonly inject: Array<{ status: number; retryAfter?: number; hang?: boolean; body?: string }> = [];
  private readonly hanging = new Set<ServerResponse>();
  /** every request's URL, in order */
  readonly requests: string[] = [];
  /**
   * every answer (status, or 0 for a request left hanging), in order, with its time (ms), URL, the
   * listens served before it, and whether it came from `inject`
   */
  readonly answers: Array<{ at: number; status: number; url: string; malformed?: boolean; injected?: boolean; served: number }> = [];
  /** listens returned in 200 pages so far */
  served = 0;
  private windowStart = Date.now();
  private used = 0;

  constructor(private readonly o: ListenBrainzFakeOptions = {}) {}

  addListens(user: string, listens: FakeListen[]): void {
    const list = this.users.get(user) ?? [];
    list.push(...listens);
    list.sort((a, b) => b.listened_at - a.listened_at);
    this.users.set(user, list);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}, injected = false): void {
    this.answers.push({ at: Date.now(), status, url: res.req?.url ?? '', served: this.served, ...(injected ? { injected } : {}) });
    const limit = this.o.rateLimit ?? 1000;
    const win = this.o.windowSeconds ?? 10;
    const resetIn = Math.max(0, Math.ceil((this.windowStart + win * 1000 - Date.now()) / 1000));
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - this.used)),
      'x-ratelimit-reset-in': String(resetIn),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetIn),
      ...extra,
    });
    res.end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://fake');
    const win = (this.o.windowSeconds ?? 10) * 1000;
    if (Date.now() - this.windowStart >= win) {
      this.windowStart = Date.now();
      this.used = 0;
    }
    this.used++;
    const injected = this.inject.shift();
    if (injected) {
      if (injected.hang) {
        this.answers.push({ at: Date.now(), status: 0, url: req.url ?? '', injected: true, served: this.served });
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      if (injected.body !== undefined) {
        this.answers.push({ at: Date.now(), status: injected.status, url: req.url ?? '', malformed: true, injected: true, served: this.served });
        res.writeHead(injected.status, { 'content-type': 'application/json' });
        res.end(injected.body);
        return;
      }
      if (injected.status === 429) {
        this.send(res, 429, { code: 429, error: 'Too many requests' }, { 'retry-after': String(injected.retryAfter ?? 1) }, true);
      } else {
        this.send(res, injected.status, { code: injected.status, error: 'Internal server error' }, {}, true);
      }
      return;
    }
    if (this.used > (this.o.rateLimit ?? 1000)) {
      this.send(res, 429, { code: 429, error: 'Too many requests' }, { 'retry-after': String(Math.ceil((this.windowStart + win - Date.now()) / 1000)) });
      return;
    }
    const m = /^\/1\/user\/([^/]+)\/listens$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) {
      this.send(res, 404, { code: 404, error: 'Not found' });
      return;
    }
    const user = decodeURIComponent(m[1]!);
    const listens = this.users.get(user);
    if (!listens) {
      this.send(res, 404, { code: 404, error: 'Cannot find user: ' + user });
      return;
    }
    const params = url.searchParams;
    const intParam = (name: string): number | undefined | Error => {
      const v = params.get(name);
      if (v === null) return undefined;
      if (!/^\d+$/.test(v)) return new Error(`'${name}' should be a positive integer`);
      return Number(v);
    };
    const maxTs = intParam('max_ts');
    const minTs = intParam('min_ts');
    const count = intParam('count');
    for (const v of [maxTs, minTs, count]) {
      if (v instanceof Error) {
        this.send(res, 400, { code: 400, error: v.message });
        return;
      }
    }
    if (maxTs !== undefined && minTs !== undefined) {
      this.send(res, 400, { code: 400, error: 'You may only specify max_ts or min_ts, not both.' });
      return;
    }
    const n = (count as number | undefined) ?? 25;
    if (n > 1000) {
      this.send(res, 400, { code: 400, error: 'count should be less than or equal to 1000' });
      return;
    }
    let page: FakeListen[];
    if (minTs !== undefined) {
      const after = listens.filter((l) => l.listened_at > (minTs as number));
      page = after.slice(Math.max(0, after.length - n)); // the n oldest after min_ts, newest first
    } else {
      const upper = maxTs === undefined ? Infinity : (maxTs as number);
      page = listens.filter((l) => l.listened_at < upper).slice(0, n);
    }
    this.served += page.length;
    this.send(res, 200, {
      payload: {
        count: page.length,
        user_id: user,
        listens: page.map((l) => ({ ...l, inserted_at: l.listened_at, user_name: user })),
        latest_listen_ts: listens[0]?.listened_at ?? 0,
        oldest_listen_ts: listens[listens.length - 1]?.listened_at ?? 0,
      },
    });
  }
}
