import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A strict local fake of GitHub's OAuth (github.com) and REST (api.github.com)
 * endpoints used by Heavy Rotation's sign-in. One server answers both roots:
 * point TOPK_GITHUB_URL and TOPK_GITHUB_API_URL at `fake.url`.
 *
 * Behaviour follows GitHub's documentation:
 * - POST /login/device/code: form or JSON body; the response is JSON when the
 *   request says `Accept: application/json`, otherwise form-urlencoded.
 * - POST /login/oauth/access_token: device grant (errors answered with HTTP 200
 *   and an `error` field: authorization_pending, slow_down (+5 s, new
 *   `interval`, also when a client polls faster than the interval),
 *   expired_token, access_denied, incorrect_device_code, unsupported_grant_type,
 *   incorrect_client_credentials, device_flow_disabled) and the web flow code
 *   exchange (client secret, redirect_uri, state at authorize time, PKCE S256).
 * - GET /user, GET /user/following (per_page ≤ 100, default 30; `Link` header
 *   with first/prev/next/last), X-RateLimit-* headers on every REST answer,
 *   403/429 with `x-ratelimit-remaining: 0` when exhausted, 401 Bad credentials.
 * - DELETE /applications/{client_id}/token with basic auth → 204.
 *
 * Time comes from `now()` so tests can run the polling protocol on a virtual clock.
 */

export interface FakeGitHubUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url?: string;
  /** logins this user follows */
  following?: string[];
}

export interface FakeOAuthApp {
  client_id: string;
  client_secret?: string;
  /** device flow enabled for this app (GitHub: a setting of the OAuth app) */
  device_flow?: boolean;
}

export interface GitHubFakeOptions {
  apps?: FakeOAuthApp[];
  users?: FakeGitHubUser[];
  /** seconds between polls (GitHub: 5) */
  interval?: number;
  /** device code lifetime in seconds (GitHub: 900) */
  expiresIn?: number;
  /** REST requests per window per token (GitHub: 5000/h) */
  rateLimit?: number;
  /** rate-limit window in seconds (GitHub: 3600) */
  rateWindow?: number;
  /** status when exhausted: GitHub answers 403 or 429 */
  rateLimitedStatus?: 403 | 429;
  now?: () => number;
  port?: number;
}

interface DeviceGrant {
  device_code: string;
  user_code: string;
  client_id: string;
  scope: string;
  interval: number;
  expires_at: number;
  last_poll?: number;
  state: 'pending' | 'approved' | 'denied' | 'used';
  login?: string;
}

interface WebGrant {
  code: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
  code_challenge?: string;
  code_challenge_method?: string;
  login: string;
  expires_at: number;
  used: boolean;
}

interface TokenRecord {
  token: string;
  login: string;
  client_id: string;
  scope: string;
}

interface RateBucket {
  used: number;
  reset: number; // epoch seconds
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, string>;
  at: number;
}

const DOCS = 'https://docs.github.com/rest';
const DEVICE_DOCS = 'https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow';

export class GitHubFake {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private baseUrl = '';
  private readonly apps = new Map<string, FakeOAuthApp>();
  private readonly users = new Map<string, FakeGitHubUser>();
  private readonly devices = new Map<string, DeviceGrant>();
  private readonly webGrants = new Map<string, WebGrant>();
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly buckets = new Map<string, RateBucket>();
  private readonly now: () => number;
  interval: number;
  expiresIn: number;
  rateLimit: number;
  rateWindow: number;
  rateLimitedStatus: 403 | 429;
  /** the login the next web-flow authorize approves as */
  webLogin: string | undefined;

  constructor(private readonly opts: GitHubFakeOptions = {}) {
    for (const a of opts.apps ?? [{ client_id: 'Iv1.fakeclient', client_secret: 'fake-secret', device_flow: true }]) this.apps.set(a.client_id, a);
    for (const u of opts.users ?? []) this.addUser(u);
    this.now = opts.now ?? Date.now;
    this.interval = opts.interval ?? 5;
    this.expiresIn = opts.expiresIn ?? 900;
    this.rateLimit = opts.rateLimit ?? 5000;
    this.rateWindow = opts.rateWindow ?? 3600;
    this.rateLimitedStatus = opts.rateLimitedStatus ?? 403;
  }

  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.opts.port ?? 0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  // ---- test controls (the test plays the person at the browser) ----

  addUser(u: FakeGitHubUser): void {
    this.users.set(u.login.toLowerCase(), { avatar_url: `https://avatars.example/u/${u.id}`, following: [], ...u });
  }

  user(login: string): FakeGitHubUser | undefined {
    return this.users.get(login.toLowerCase());
  }

  private grantByUserCode(userCode: string): DeviceGrant {
    for (const g of this.devices.values()) if (g.user_code === userCode) return g;
    throw new Error(`no device grant with user code ${userCode}`);
  }

  /** The user entered the code and authorised the app as `login`. */
  approve(userCode: string, login: string): void {
    const g = this.grantByUserCode(userCode);
    if (!this.users.has(login.toLowerCase())) throw new Error(`unknown fake user ${login}`);
    g.state = 'approved';
    g.login = login.toLowerCase();
  }

  /** The user clicked Cancel. */
  deny(userCode: string): void {
    this.grantByUserCode(userCode).state = 'denied';
  }

  /** Make a device code expire now. */
  expire(userCode: string): void {
    this.grantByUserCode(userCode).expires_at = this.now() - 1;
  }

  /** The last device grant issued (its user code is what the user types). */
  lastDeviceGrant(): { user_code: string; device_code: string; interval: number } | undefined {
    const all = [...this.devices.values()];
    return all[all.length - 1];
  }

  /** Issue a token directly (tests that skip the sign-in). */
  issueToken(login: string, clientId = [...this.apps.keys()][0]!): string {
    const token = 'gho_' + randomBytes(18).toString('base64url');
    this.tokens.set(token, { token, login: login.toLowerCase(), client_id: clientId, scope: 'read:user' });
    return token;
  }

  isTokenValid(token: string): boolean {
    return this.tokens.has(token);
  }

  /** Drain a token's REST budget. */
  exhaust(token: string): void {
    this.bucket(token).used = this.rateLimit;
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const body = parseBody(raw, req.headers['content-type']);
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, headers: req.headers, body: body ?? {}, at: this.now() });
    const route = `${req.method} ${url.pathname}`;

    if (route === 'POST /login/device/code') return this.deviceCode(req, res, { ...query, ...(body ?? {}) });
    if (route === 'POST /login/oauth/access_token') return this.accessToken(req, res, { ...query, ...(body ?? {}) });
    if (route === 'GET /login/oauth/authorize') return this.authorize(res, query);
    if (req.method === 'DELETE' && /^\/applications\/[^/]+\/token$/.test(url.pathname)) return this.revoke(req, res, url.pathname.split('/')[2]!, body);
    if (route === 'GET /user') return this.rest(req, res, (t) => this.publicUser(this.users.get(t.login)!, true));
    if (route === 'GET /user/following') return this.following(req, res, url);
    if (route === 'GET /rate_limit') {
      return this.rest(req, res, (t) => {
        const b = this.bucket(t.token);
        return { resources: { core: this.rateInfo(b) }, rate: this.rateInfo(b) };
      }, false);
    }
    send(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
  }

  private oauthReply(req: IncomingMessage, res: ServerResponse, payload: Record<string, string | number>): void {
    if (acceptsJson(req)) return send(res, 200, payload);
    res.statusCode = 200;
    res.setHeader('content-type', 'application/x-www-form-urlencoded; charset=utf-8');
    res.end(new URLSearchParams(Object.entries(payload).map(([k, v]): [string, string] => [k, String(v)])).toString());
  }

  private oauthError(req: IncomingMessage, res: ServerResponse, error: string, description: string, extra: Record<string, number> = {}): void {
    this.oauthReply(req, res, { error, error_description: description, error_uri: DEVICE_DOCS, ...extra });
  }

  private deviceCode(req: IncomingMessage, res: ServerResponse, p: Record<string, string>): void {
    const app = p.client_id ? this.apps.get(p.client_id) : undefined;
    // GitHub answers an unknown client id on this endpoint with 404 Not Found
    if (!app) return send(res, 404, { error: 'Not Found' });
    if (app.device_flow === false) return this.oauthError(req, res, 'device_flow_disabled', 'Device Flow must be explicitly enabled for this App');
    const grant: DeviceGrant = {
      device_code: randomBytes(20).toString('hex'),
      user_code: userCode(),
      client_id: app.client_id,
      scope: p.scope ?? '',
      interval: this.interval,
      expires_at: this.now() + this.expiresIn * 1000,
      state: 'pending',
    };
    this.devices.set(grant.device_code, grant);
    this.oauthReply(req, res, {
      device_code: grant.device_code,
      user_code: grant.user_code,
      verification_uri: `${this.baseUrl}/login/device`,
      expires_in: this.expiresIn,
      interval: grant.interval,
    });
  }

  private accessToken(req: IncomingMessage, res: ServerResponse, p: Record<string, string>): void {
    const app = p.client_id ? this.apps.get(p.client_id) : undefined;
    if (!app) return this.oauthError(req, res, 'incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
    const grantType = p.grant_type;
    if (grantType === 'urn:ietf:params:oauth:grant-type:device_code') return this.deviceToken(req, res, app, p);
    if (grantType === undefined || grantType === 'authorization_code') return this.codeToken(req, res, app, p);
    if (grantType === 'refresh_token') return this.oauthError(req, res, 'unsupported_grant_type', 'Refresh tokens are not enabled for this app.');
    return this.oauthError(req, res, 'unsupported_grant_type', 'The grant type must be urn:ietf:params:oauth:grant-type:device_code.');
  }

  private deviceToken(req: IncomingMessage, res: ServerResponse, app: FakeOAuthApp, p: Record<string, string>): void {
    if (app.device_flow === false) return this.oauthError(req, res, 'device_flow_disabled', 'Device Flow must be explicitly enabled for this App');
    const g = p.device_code ? this.devices.get(p.device_code) : undefined;
    if (!g || g.client_id !== app.client_id || g.state === 'used') {
      return this.oauthError(req, res, 'incorrect_device_code', 'The device_code provided is not valid.');
    }
    const now = this.now();
    if (now >= g.expires_at) return this.oauthError(req, res, 'expired_token', 'The device_code has expired.');
    const last = g.last_poll;
    g.last_poll = now;
    if (last !== undefined && now - last < g.interval * 1000) {
      g.interval += 5;
      return this.oauthError(req, res, 'slow_down', 'Too many requests have been made in the same timeframe.', { interval: g.interval });
    }
    if (g.state === 'denied') return this.oauthError(req, res, 'access_denied', 'The authorization request was denied.');
    if (g.state === 'pending') return this.oauthError(req, res, 'authorization_pending', 'The authorization request is still pending.');
    g.state = 'used';
    const token = this.issueToken(g.login!, app.client_id);
    this.tokens.get(token)!.scope = g.scope;
    this.oauthReply(req, res, { access_token: token, token_type: 'bearer', scope: g.scope });
  }

  private authorize(res: ServerResponse, q: Record<string, string>): void {
    const app = q.client_id ? this.apps.get(q.client_id) : undefined;
    if (!app) return send(res, 404, { error: 'Not Found' });
    const redirect = q.redirect_uri;
    if (!redirect) return send(res, 400, { error: 'redirect_uri required' });
    const target = new URL(redirect);
    // loopback redirect URIs may use any port (GitHub docs: "loopback redirect urls")
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
      target.searchParams.set('error', 'redirect_uri_mismatch');
      target.searchParams.set('error_description', 'The redirect_uri MUST match the registered callback URL for this application.');
      if (q.state) target.searchParams.set('state', q.state);
      return redirectTo(res, target.toString());
    }
    if (q.code_challenge && q.code_challenge_method !== 'S256') {
      return send(res, 400, { error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
    }
    if (!this.webLogin) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The user has denied your application access.');
      if (q.state) target.searchParams.set('state', q.state);
      return redirectTo(res, target.toString());
    }
    const code = randomBytes(10).toString('hex');
    this.webGrants.set(code, {
      code,
      client_id: app.client_id,
      redirect_uri: redirect,
      scope: q.scope ?? '',
      code_challenge: q.code_challenge,
      code_challenge_method: q.code_challenge_method,
      login: this.webLogin.toLowerCase(),
      expires_at: this.now() + 10 * 60 * 1000,
      used: false,
    });
    target.searchParams.set('code', code);
    if (q.state !== undefined) target.searchParams.set('state', q.state);
    redirectTo(res, target.toString());
  }

  private codeToken(req: IncomingMessage, res: ServerResponse, app: FakeOAuthApp, p: Record<string, string>): void {
    if (!app.client_secret || p.client_secret !== app.client_secret) {
      return this.oauthError(req, res, 'incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
    }
    const g = p.code ? this.webGrants.get(p.code) : undefined;
    if (!g || g.used || g.client_id !== app.client_id || this.now() >= g.expires_at) {
      return this.oauthError(req, res, 'bad_verification_code', 'The code passed is incorrect or expired.');
    }
    if (p.redirect_uri !== undefined && p.redirect_uri !== g.redirect_uri) {
      return this.oauthError(req, res, 'redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.');
    }
    if (g.code_challenge) {
      const verifier = p.code_verifier ?? '';
      const digest = createHash('sha256').update(verifier).digest('base64url');
      if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || digest !== g.code_challenge) {
        return this.oauthError(req, res, 'invalid_grant', 'The code_verifier does not match the code_challenge.');
      }
    }
    g.used = true;
    const token = this.issueToken(g.login, app.client_id);
    this.oauthReply(req, res, { access_token: token, token_type: 'bearer', scope: g.scope });
  }

  private revoke(req: IncomingMessage, res: ServerResponse, clientId: string, body: Record<string, string> | undefined): void {
    const app = this.apps.get(clientId);
    const auth = req.headers.authorization ?? '';
    const m = /^Basic (.+)$/i.exec(auth);
    const [id, secret] = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':') : [];
    if (!app || !app.client_secret || id !== clientId || secret !== app.client_secret) {
      return send(res, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    }
    const token = body?.access_token;
    if (!token) return send(res, 422, { message: 'Invalid request.\n\n"access_token" wasn\'t supplied.', documentation_url: DOCS, status: '422' });
    const rec = this.tokens.get(token);
    if (!rec || rec.client_id !== clientId) return send(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    this.tokens.delete(token);
    res.statusCode = 204;
    res.end();
  }

  private bucket(token: string): RateBucket {
    const nowS = Math.floor(this.now() / 1000);
    let b = this.buckets.get(token);
    if (!b || nowS >= b.reset) {
      b = { used: 0, reset: nowS + this.rateWindow };
      this.buckets.set(token, b);
    }
    return b;
  }

  private rateInfo(b: RateBucket): Record<string, number> {
    return { limit: this.rateLimit, remaining: Math.max(0, this.rateLimit - b.used), reset: b.reset, used: b.used };
  }

  private rest(req: IncomingMessage, res: ServerResponse, answer: (t: TokenRecord) => unknown, counts = true): void {
    const m = /^(?:Bearer|token) (\S+)$/i.exec(req.headers.authorization ?? '');
    const t = m ? this.tokens.get(m[1]!) : undefined;
    if (!t) return send(res, 401, { message: m ? 'Bad credentials' : 'Requires authentication', documentation_url: DOCS, status: '401' });
    const b = this.bucket(t.token);
    const setRate = () => {
      res.setHeader('x-ratelimit-limit', String(this.rateLimit));
      res.setHeader('x-ratelimit-remaining', String(Math.max(0, this.rateLimit - b.used)));
      res.setHeader('x-ratelimit-reset', String(b.reset));
      res.setHeader('x-ratelimit-used', String(b.used));
      res.setHeader('x-ratelimit-resource', 'core');
    };
    if (counts) {
      if (b.used >= this.rateLimit) {
        setRate();
        return send(res, this.rateLimitedStatus, {
          message: `API rate limit exceeded for user ID ${this.users.get(t.login)?.id ?? 0}.`,
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          status: String(this.rateLimitedStatus),
        });
      }
      b.used++;
    }
    setRate();
    res.setHeader('x-oauth-scopes', t.scope);
    send(res, 200, answer(t));
  }

  private following(req: IncomingMessage, res: ServerResponse, url: URL): void {
    this.rest(req, res, (t) => {
      const me = this.users.get(t.login)!;
      const perPage = clampInt(url.searchParams.get('per_page'), 30, 1, 100);
      const page = clampInt(url.searchParams.get('page'), 1, 1, Number.MAX_SAFE_INTEGER);
      const all = (me.following ?? []).map((l) => this.users.get(l.toLowerCase())).filter((u): u is FakeGitHubUser => !!u);
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const link = (p: number) => {
        const u = new URL(`${this.baseUrl}/user/following`);
        u.searchParams.set('per_page', String(perPage));
        u.searchParams.set('page', String(p));
        return `<${u.toString()}>`;
      };
      const links: string[] = [];
      if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
      if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
      if (page > 1) links.push(`${link(1)}; rel="first"`);
      if (links.length) res.setHeader('link', links.join(', '));
      return all.slice((page - 1) * perPage, page * perPage).map((u) => this.publicUser(u, false));
    });
  }

  private publicUser(u: FakeGitHubUser, full: boolean): Record<string, unknown> {
    const base = {
      login: u.login,
      id: u.id,
      node_id: `U_${u.id}`,
      avatar_url: u.avatar_url,
      url: `${this.baseUrl}/users/${u.login}`,
      html_url: `https://github.com/${u.login}`,
      type: 'User',
      site_admin: false,
    };
    return full ? { ...base, name: u.name, following: u.following?.length ?? 0 } : base;
  }
}

export async function startGitHubFake(opts: GitHubFakeOptions = {}): Promise<GitHubFake> {
  return new GitHubFake(opts).start();
}

function userCode(): string {
  const alphabet = 'BCDFGHJKLMNPQRSTVWXZ';
  const pick = () => alphabet[randomBytes(1)[0]! % alphabet.length];
  return Array.from({ length: 4 }, pick).join('') + '-' + Array.from({ length: 4 }, pick).join('');
}

function acceptsJson(req: IncomingMessage): boolean {
  return /application\/json/i.test(req.headers.accept ?? '');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  if (/application\/json/i.test(contentType ?? '')) {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function redirectTo(res: ServerResponse, location: string): void {
  res.statusCode = 302;
  res.setHeader('location', location);
  res.end();
}

function clampInt(raw: string | null, dflt: number, lo: number, hi: number): number {
  const n = raw === null ? dflt : Number.parseInt(raw, 10);
  if (!Number.isFinite(n)) return dflt;
  return Math.min(hi, Math.max(lo, n));
}

/**
 * A clock shared by the fake and the code under test: `sleep` moves time
 * forward at once, so a 5 s polling protocol runs in milliseconds while the
 * fake still checks the intervals.
 */
export class VirtualClock {
  t: number;
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }

  now = (): number => this.t;

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    this.sleeps.push(ms);
    this.t += ms;
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
  };

  advance(ms: number): void {
    this.t += ms;
  }
}
