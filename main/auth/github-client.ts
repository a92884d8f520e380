import { GitHubNotConfiguredError } from './github-app';
import { parseLinkHeader } from './link-header';

/**
 * The GitHub endpoints Heavy Rotation's sign-in uses: OAuth on `githubUrl`
 * (github.com) and REST on `githubApiUrl` (api.github.com). Tokens are
 * parameters and return values only; nothing here logs or stores them.
 */

export interface DeviceCodeResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  scope: string;
}

/** One poll of the device grant: a token, or one of GitHub's documented error codes. */
export type DevicePollResult =
  | { ok: true; token: TokenResponse }
  | { ok: false; error: string; description?: string; interval?: number };

export interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string;
}

export interface RateLimit {
  limit: number;
  remaining: number;
  /** epoch ms */
  resetAt: number;
  used: number;
}

/** An OAuth error answer (`{error, error_description}`) from github.com. */
export class GitHubOAuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GitHubOAuthError';
  }
}

/** A REST error answer. `rateLimited` is set for 403/429 with `x-ratelimit-remaining: 0` (or Retry-After). */
export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly rateLimit: RateLimit | undefined,
    readonly retryAt: number | undefined,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }

  get rateLimited(): boolean {
    return this.retryAt !== undefined;
  }

  get badCredentials(): boolean {
    return this.status === 401;
  }
}

export interface GitHubClientOptions {
  githubUrl: string;
  githubApiUrl: string;
  /** undefined until a GitHub OAuth App is configured (the OAuth endpoints then refuse) */
  clientId: string | undefined;
  clientSecret?: string;
  fetch?: typeof fetch;
  now?: () => number;
  userAgent?: string;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const API_VERSION = '2022-11-28';

export class GitHubClient {
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  /** the latest rate-limit headers seen on a REST answer */
  lastRateLimit: RateLimit | undefined;

  constructor(private opts: GitHubClientOptions) {
    this.fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.now = opts.now ?? Date.now;
  }

  get clientId(): string | undefined {
    return this.opts.clientId;
  }

  /** Switch to another OAuth App (a client id pasted while the app runs). */
  useClientId(id: string): void {
    this.opts.clientId = id;
  }

  /** The client id, or GitHubNotConfiguredError while none is configured. */
  requireClientId(): string {
    if (!this.opts.clientId) throw new GitHubNotConfiguredError();
    return this.opts.clientId;
  }

  get hasSecret(): boolean {
    return !!this.opts.clientSecret;
  }

  private async oauthPost(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const res = await this.fetch(`${this.opts.githubUrl}${path}`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': this.opts.userAgent ?? 'heavy-rotation',
      },
      body: new URLSearchParams(params).toString(),
      signal,
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // GitHub answers form-urlencoded when Accept is ignored somewhere on the way
      body = Object.fromEntries(new URLSearchParams(text));
    }
    if (!res.ok && (res.status === 404 || typeof body.error !== 'string')) {
      throw new GitHubOAuthError(res.status === 404 ? 'not_found' : 'http_error', res.status === 404 ? `GitHub does not know the OAuth App client id "${params.client_id}" (${path} answered 404): check it, or register an OAuth App with device flow enabled` : `GitHub ${path} answered HTTP ${res.status}`);
    }
    return body;
  }

  /** POST /login/device/code */
  async requestDeviceCode(scope: string, signal?: AbortSignal): Promise<DeviceCodeResponse> {
    const b = await this.oauthPost('/login/device/code', { client_id: this.requireClientId(), scope }, signal);
    if (typeof b.error === 'string') throw new GitHubOAuthError(b.error, str(b.error_description) ?? b.error);
    const device_code = str(b.device_code);
    const user_code = str(b.user_code);
    const verification_uri = str(b.verification_uri);
    if (!device_code || !user_code || !verification_uri) throw new GitHubOAuthError('invalid_response', 'GitHub device code answer is missing fields');
    return { device_code, user_code, verification_uri, expires_in: num(b.expires_in) ?? 900, interval: num(b.interval) ?? 5 };
  }

  /** One POST /login/oauth/access_token for the device grant. */
  async pollDeviceToken(deviceCode: string, signal?: AbortSignal): Promise<DevicePollResult> {
    const b = await this.oauthPost('/login/oauth/access_token', { client_id: this.requireClientId(), device_code: deviceCode, grant_type: DEVICE_GRANT }, signal);
    if (typeof b.error === 'string') return { ok: false, error: b.error, description: str(b.error_description), interval: num(b.interval) };
    return { ok: true, token: tokenOf(b) };
  }

  /** Web flow code exchange (loopback + PKCE); needs the client secret. */
  async exchangeCode(p: { code: string; redirectUri: string; codeVerifier: string }, signal?: AbortSignal): Promise<TokenResponse> {
    if (!this.opts.clientSecret) throw new GitHubOAuthError('no_client_secret', 'the loopback flow needs TOPK_GITHUB_CLIENT_SECRET');
    const b = await this.oauthPost(
      '/login/oauth/access_token',
      { client_id: this.requireClientId(), client_secret: this.opts.clientSecret, code: p.code, redirect_uri: p.redirectUri, code_verifier: p.codeVerifier },
      signal,
    );
    if (typeof b.error === 'string') throw new GitHubOAuthError(b.error, str(b.error_description) ?? b.error);
    return tokenOf(b);
  }

  /** DELETE /applications/{client_id}/token (needs the client secret). Returns false when there is no secret. */
  async revokeToken(token: string): Promise<boolean> {
    if (!this.opts.clientSecret) return false;
    const basic = Buffer.from(`${this.requireClientId()}:${this.opts.clientSecret}`).toString('base64');
    const res = await this.fetch(`${this.opts.githubApiUrl}/applications/${encodeURIComponent(this.requireClientId())}/token`, {
      method: 'DELETE',
      headers: { ...this.restHeaders(), authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: token }),
    });
    if (res.status === 204 || res.status === 404) return true; // 404: already gone
    throw await this.apiError(res);
  }

  /** GET /user */
  async getUser(token: string, signal?: AbortSignal): Promise<GitHubUser> {
    const { body } = await this.rest(`${this.opts.githubApiUrl}/user`, token, signal);
    return userOf(body);
  }

  /** GET /user/following, every page, following `Link: rel="next"`. */
  async listFollowing(token: string, opts: { perPage?: number; signal?: AbortSignal; onPage?: (rate: RateLimit | undefined) => Promise<void> | void } = {}): Promise<GitHubUser[]> {
    const out: GitHubUser[] = [];
    let next: string | undefined = `${this.opts.githubApiUrl}/user/following?per_page=${opts.perPage ?? 100}`;
    const seen = new Set<string>();
    while (next) {
      if (seen.has(next)) break; // a broken Link header must not loop forever
      seen.add(next);
      const { body, res } = await this.rest(next, token, opts.signal);
      if (!Array.isArray(body)) throw new GitHubApiError(res.status, 'GitHub /user/following did not answer a list', this.lastRateLimit, undefined);
      for (const u of body) out.push(userOf(u));
      next = parseLinkHeader(res.headers.get('link')).next;
      await opts.onPage?.(this.lastRateLimit);
    }
    return out;
  }

  private restHeaders(): Record<string, string> {
    return { accept: 'application/vnd.github+json', 'x-github-api-version': API_VERSION, 'user-agent': this.opts.userAgent ?? 'heavy-rotation' };
  }

  private async rest(url: string, token: string, signal?: AbortSignal): Promise<{ body: unknown; res: Response }> {
    const res = await this.fetch(url, { headers: { ...this.restHeaders(), authorization: `Bearer ${token}` }, signal });
    const rate = rateLimitOf(res.headers);
    if (rate) this.lastRateLimit = rate;
    if (!res.ok) throw await this.apiError(res);
    return { body: await res.json(), res };
  }

  private async apiError(res: Response): Promise<GitHubApiError> {
    let message = `HTTP ${res.status}`;
    try {
      const b = (await res.json()) as { message?: unknown };
      if (typeof b.message === 'string') message = b.message;
    } catch {
      /* not JSON */
    }
    const rate = rateLimitOf(res.headers);
    let retryAt: number | undefined;
    const retryAfter = res.headers.get('retry-after');
    if ((res.status === 403 || res.status === 429) && retryAfter && /^\d+$/.test(retryAfter)) {
      retryAt = this.now() + Number(retryAfter) * 1000;
    } else if ((res.status === 403 || res.status === 429) && rate && rate.remaining === 0) {
      retryAt = rate.resetAt;
    } else if (res.status === 429) {
      retryAt = this.now() + 60_000; // secondary limit without headers: wait at least a minute (GitHub docs)
    }
    return new GitHubApiError(res.status, `GitHub API: ${message}`, rate, retryAt);
  }
}

export function rateLimitOf(h: Headers): RateLimit | undefined {
  const limit = h.get('x-ratelimit-limit');
  const remaining = h.get('x-ratelimit-remaining');
  const reset = h.get('x-ratelimit-reset');
  if (limit === null || remaining === null || reset === null) return undefined;
  return { limit: Number(limit), remaining: Number(remaining), resetAt: Number(reset) * 1000, used: Number(h.get('x-ratelimit-used') ?? 0) };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function tokenOf(b: Record<string, unknown>): TokenResponse {
  const access_token = str(b.access_token);
  if (!access_token) throw new GitHubOAuthError('invalid_response', 'GitHub token answer has no access_token');
  return { access_token, token_type: str(b.token_type) ?? 'bearer', scope: typeof b.scope === 'string' ? b.scope : '' };
}

function userOf(v: unknown): GitHubUser {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (typeof o.id !== 'number' || typeof o.login !== 'string') throw new GitHubApiError(200, 'GitHub user object without id/login', undefined, undefined);
  return { id: o.id, login: o.login, name: typeof o.name === 'string' ? o.name : null, avatar_url: typeof o.avatar_url === 'string' ? o.avatar_url : '' };
}
