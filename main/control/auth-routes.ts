import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../engine/shared/http-error';
import type { AuthService } from '../auth/auth-service';
import { DeviceFlowError } from '../auth/device-flow';
import { ClientIdError, GitHubNotConfiguredError } from '../auth/github-app';
import { GitHubApiError, GitHubOAuthError } from '../auth/github-client';
import { readJsonObject } from './json-body';

/**
 * `/control/auth/*` for the control server (a RouteHook: the bearer-token
 * and Host guards have already run). JSON in and out; no answer ever carries
 * a GitHub token.
 *
 *   GET    /control/auth                       → { accounts, active_user_id, pending? }
 *   POST   /control/auth/device                → 201 { user_code, verification_uri, expires_in, interval, expires_at }
 *   GET    /control/auth/device                → live status of the latest device flow (404 if none)
 *   DELETE /control/auth/device                → { cancelled }
 *   POST   /control/auth/active {user_id}      → the new auth state
 *   DELETE /control/auth/accounts/{user_id}    → { removed, revoked }  (sign out)
 *   POST   /control/auth/friends/refresh {user_id?} → { results }
 *   GET    /control/auth/friends/{user_id}     → { user_id, friends }
 *   GET    /control/auth/github-app            → { configured, client_id, source, register_url, steps }
 *   PUT    /control/auth/github-app {client_id} → the same, saved in config.json (400 naming client_id when malformed)
 *
 * Starting a device flow while no OAuth App is configured → 409 github_not_configured.
 */

const MAX_BODY = 16 * 1024;

export function createAuthRoutes(auth: AuthService): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== '/control/auth' && !path.startsWith('/control/auth/')) return false;
    try {
      const out = await route(auth, req, path);
      send(res, out.status, out.body);
    } catch (err) {
      const e = toHttpError(err);
      send(res, e.status, e.body());
    }
    return true;
  };
}

async function route(auth: AuthService, req: IncomingMessage, path: string): Promise<{ status: number; body: unknown }> {
  const m = req.method ?? 'GET';
  const key = `${m} ${path}`;
  if (key === 'GET /control/auth') return { status: 200, body: await auth.state() };
  if (key === 'POST /control/auth/device') return { status: 201, body: await auth.startDevice() };
  if (key === 'GET /control/auth/device') {
    const s = auth.deviceStatus();
    if (!s) throw new HttpError(404, 'no_device_flow', 'no device sign-in has been started');
    return { status: 200, body: s };
  }
  if (key === 'DELETE /control/auth/device') return { status: 200, body: { cancelled: auth.cancelDevice() } };
  if (key === 'GET /control/auth/github-app') return { status: 200, body: auth.githubApp() };
  if (key === 'PUT /control/auth/github-app') return { status: 200, body: auth.setClientId((await readJson(req)).client_id) };
  if (key === 'POST /control/auth/active') {
    const body = await readJson(req);
    const userId = body.user_id;
    if (typeof userId !== 'string' || userId === '') throw new HttpError(400, 'invalid_user_id', 'user_id must be a non-empty string', 'user_id');
    if (!(await auth.setActive(userId))) throw new HttpError(404, 'unknown_account', `no signed-in account "${userId}"`, 'user_id');
    return { status: 200, body: await auth.state() };
  }
  const acc = /^\/control\/auth\/accounts\/([^/]+)$/.exec(path);
  if (acc && m === 'DELETE') {
    const userId = decodeURIComponent(acc[1]!);
    const r = await auth.signOut(userId);
    if (!r.removed) throw new HttpError(404, 'unknown_account', `no signed-in account "${userId}"`, 'user_id');
    return { status: 200, body: r };
  }
  if (key === 'POST /control/auth/friends/refresh') {
    const body = await readJson(req);
    const userId = body.user_id;
    if (userId !== undefined && (typeof userId !== 'string' || userId === '')) throw new HttpError(400, 'invalid_user_id', 'user_id must be a non-empty string', 'user_id');
    if (typeof userId === 'string' && !(await auth.accounts.get(userId))) throw new HttpError(404, 'unknown_account', `no signed-in account "${userId}"`, 'user_id');
    return { status: 200, body: { results: await auth.refreshFriends(userId) } };
  }
  const fr = /^\/control\/auth\/friends\/([^/]+)$/.exec(path);
  if (fr && m === 'GET') {
    const userId = decodeURIComponent(fr[1]!);
    return { status: 200, body: { user_id: userId, friends: await auth.friendsOf(userId) } };
  }
  throw new HttpError(404, 'not_found', `no route ${m} ${path}`);
}

/** The auth routes' bodies are optional: an empty one reads as `{}`. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return (await readJsonObject(req, MAX_BODY)) ?? {};
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ClientIdError) return new HttpError(400, 'invalid_client_id', err.message, err.field);
  if (err instanceof GitHubNotConfiguredError) return new HttpError(409, 'github_not_configured', err.message, 'client_id');
  if (err instanceof DeviceFlowError || err instanceof GitHubOAuthError) return new HttpError(502, `github_${err.code}`, err.message);
  if (err instanceof GitHubApiError) return new HttpError(502, err.rateLimited ? 'github_rate_limited' : 'github_error', err.message);
  // fetch failures: GitHub (or the configured TOPK_GITHUB_URL) cannot be reached
  if (err instanceof TypeError) return new HttpError(502, 'github_unreachable', `cannot reach GitHub: ${err.message}`);
  return new HttpError(500, 'internal', (err as Error).message);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
