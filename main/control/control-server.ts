import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HttpError } from '../../engine/shared/http-error';
import type { Logger } from '../../engine/shared/logger';
import { isLevel } from '../logs/log-store';
import type { LogQuery, LogStore } from '../logs/log-store';
import type { ProcessInfo } from '../supervisor/supervisor';
import { createApiProxy } from './api-proxy';
import { hostAllowed, requestToken, tokenMatches } from './request-guards';
import { openSse } from '../../engine/shared/sse';
import { serveStatic } from './static-files';

export type StackPhase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'error';

export interface StackProgress {
  /** ISO time */
  time: string;
  service: string;
  phase: string;
  message: string;
  percent?: number;
}

/** What the control server needs from whoever runs the stack (the ControlPlane). */
export interface StackControl {
  status(): Promise<unknown>;
  /** stack up + migrations + engine processes; resolves when done. `provider` switches providers and is remembered */
  up(opts?: { provider?: 'docker' | 'native' }): Promise<void>;
  /** engine processes stop, then the stack */
  down(opts?: { volumes?: boolean }): Promise<void>;
  /** events of the current/last operation, then live ones */
  progress(): StackProgress[];
  onProgress(cb: (e: StackProgress) => void): { dispose(): void };
}

export interface ProcessControl {
  readonly names: string[];
  list(): Promise<ProcessInfo[]>;
  restart(name: string): Promise<ProcessInfo>;
}

/** Extra routes (e.g. /control/auth/*): return true when handled. Auth and the Host guard already ran. */
export type RouteHook = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface ControlServerOptions {
  port: number;
  /** bind address (default 127.0.0.1) */
  host?: string;
  token: string;
  api: { host: string; port: number };
  allowedHosts?: string[];
  /**
   * built renderer folder; undefined → a friendly "not built" page. A function is asked on
   * every request, so a UI built after the server started is served without a restart.
   */
  rendererDir?: string | (() => string | undefined);
  logs: LogStore;
  processes: ProcessControl;
  stack: StackControl;
  doctor?: () => Promise<unknown>;
  routes?: RouteHook[];
  /**
   * A proxied DELETE /v1/users/{user_id} answered 202 (the user is deleted): awaited before
   * the client sees the 202, so what it removes (the user's GitHub sign-in) is gone by then.
   */
  onUserDeleted?: (userId: string) => Promise<void>;
  log?: Logger;
}

export interface ControlServerHandle {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, e: HttpError): void {
  sendJson(res, e.status, e.body());
}

function parseLogQuery(url: URL): LogQuery {
  const p = url.searchParams;
  const q: LogQuery = {};
  const service = p.getAll('service').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (service.length) q.service = service;
  const level = p.get('level');
  if (level) {
    if (!isLevel(level)) throw new HttpError(400, 'invalid_level', 'level must be one of trace, debug, info, warn, error, fatal', 'level');
    q.level = level;
  }
  for (const key of ['since', 'until'] as const) {
    const v = p.get(key);
    if (v) {
      if (!/^\d+$/.test(v) && Number.isNaN(Date.parse(v))) throw new HttpError(400, 'invalid_time', `${key} must be an ISO time or milliseconds since the epoch`, key);
      q[key] = /^\d+$/.test(v) ? Number(v) : v;
    }
  }
  const text = p.get('q') ?? p.get('text');
  if (text) q.text = text;
  const int = (key: string, min: number, max: number): number | undefined => {
    const v = p.get(key);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, 'invalid_integer', `${key} must be an integer between ${min} and ${max}`, key);
    return n;
  };
  const limit = int('limit', 1, 50_000);
  if (limit !== undefined) q.limit = limit;
  const after = int('after', 0, Number.MAX_SAFE_INTEGER);
  if (after !== undefined) q.afterSeq = after;
  return q;
}

/** The engine's GDPR deletion, as the proxy forwards it (prefix stripped). */
const DELETED_USER_PATH = /^\/v1\/users\/([^/]+)\/?$/;

/**
 * The control server: one origin for the UI, the control endpoints and the
 * proxied engine API, on 127.0.0.1 only.
 *
 * Auth: every /control and /api request carries `Authorization: Bearer <token>`
 * (compared in constant time). EventSource cannot set headers, so GET requests
 * with `Accept: text/event-stream` may pass the token as `?token=` instead; the
 * parameter is removed before proxying and scrubbed from logs. Static UI files
 * and /control/health need no token. A Host-header guard rejects any host but
 * loopback names (and configured allowedHosts) with 421.
 */
export async function startControlServer(o: ControlServerOptions): Promise<ControlServerHandle> {
  const onUserDeleted = o.onUserDeleted;
  const proxy = createApiProxy({
    host: o.api.host,
    port: o.api.port,
    token: o.token,
    onAnswer: onUserDeleted
      ? async ({ method, path, status }) => {
          const m = method === 'DELETE' && status === 202 ? DELETED_USER_PATH.exec(path) : null;
          if (!m) return;
          const userId = decodeURIComponent(m[1]!);
          await onUserDeleted(userId).catch((err: unknown) => o.log?.error({ err, user_id: userId }, 'after deleting a user: its sign-in could not be removed'));
        }
      : undefined,
  });
  const sockets = new Set<Socket>();
  let boundPort = o.port;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (!hostAllowed(req.headers.host, boundPort, o.allowedHosts)) {
      throw new HttpError(421, 'bad_host', `requests must be addressed to 127.0.0.1:${boundPort} or localhost:${boundPort}`);
    }
    const isApi = path === '/api' || path.startsWith('/api/');
    const isControl = path === '/control' || path.startsWith('/control/');
    if (!isApi && !isControl) {
      serveStatic(typeof o.rendererDir === 'function' ? o.rendererDir() : o.rendererDir, req, res, url);
      return;
    }
    if (path === '/control/health') {
      sendJson(res, 200, { ok: true });
      return;
    }
    if (!tokenMatches(requestToken(req, url), o.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token');
    }
    if (isApi) {
      proxy(req, res, url);
      return;
    }
    for (const hook of o.routes ?? []) if (await hook(req, res, url)) return;
    await control(req, res, url);
  };

  const control = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname.replace(/\/+$/, '');
    const m = req.method ?? 'GET';
    const route = `${m} ${path}`;
    const restart = /^\/control\/processes\/([^/]+)\/restart$/.exec(path);
    if (route === 'GET /control/stack') return sendJson(res, 200, await o.stack.status());
    if (route === 'POST /control/stack/up' || route === 'POST /control/stack/down') {
      const provider = url.searchParams.get('provider');
      if (provider !== null && (!path.endsWith('/up') || (provider !== 'docker' && provider !== 'native'))) {
        throw new HttpError(400, 'invalid_provider', path.endsWith('/up') ? `provider must be docker or native, got ${JSON.stringify(provider)}` : 'provider only goes with POST /control/stack/up', 'provider');
      }
      const op = path.endsWith('/up') ? o.stack.up(provider ? { provider } : {}) : o.stack.down({ volumes: url.searchParams.get('volumes') === 'true' });
      if (url.searchParams.get('wait') === 'true') {
        try {
          await op;
        } catch (err) {
          throw new HttpError(500, 'stack_failed', (err as Error).message);
        }
        return sendJson(res, 200, await o.stack.status());
      }
      op.catch((err: unknown) => o.log?.error({ err }, `stack ${path.endsWith('/up') ? 'up' : 'down'} failed`));
      return sendJson(res, 202, { accepted: true, progress: '/control/stack/progress' });
    }
    if (route === 'GET /control/stack/progress') {
      const sse = openSse(req, res);
      for (const e of o.stack.progress()) sse.send(e, { event: 'progress' });
      const sub = o.stack.onProgress((e) => sse.send(e, { event: 'progress' }));
      sse.onClose(() => sub.dispose());
      return;
    }
    if (route === 'GET /control/processes') return sendJson(res, 200, { processes: await o.processes.list() });
    if (restart && m === 'POST') {
      const name = decodeURIComponent(restart[1]!);
      if (!o.processes.names.includes(name)) throw new HttpError(404, 'unknown_process', `no process named "${name}"`, 'name');
      return sendJson(res, 200, await o.processes.restart(name));
    }
    if (route === 'GET /control/logs') {
      const q = parseLogQuery(url);
      return sendJson(res, 200, { entries: o.logs.query({ limit: 1000, ...q }) });
    }
    if (route === 'GET /control/logs/stream') {
      const q = parseLogQuery(url);
      const lastId = Number(req.headers['last-event-id']);
      const tailParam = url.searchParams.get('tail');
      const tail = tailParam === null ? 100 : Number(tailParam);
      if (!Number.isInteger(tail) || tail < 0 || tail > 50_000) throw new HttpError(400, 'invalid_integer', 'tail must be an integer between 0 and 50000', 'tail');
      const sse = openSse(req, res);
      const backlog = Number.isInteger(lastId) && lastId > 0 ? o.logs.query({ ...q, afterSeq: lastId, limit: 50_000 }) : tail > 0 ? o.logs.query({ ...q, limit: tail }) : [];
      for (const e of backlog) sse.send(e, { event: 'log', id: e.seq });
      const sub = o.logs.subscribe(q, (e) => sse.send(e, { event: 'log', id: e.seq }));
      sse.onClose(() => sub.dispose());
      return;
    }
    if (route === 'GET /control/logs/export') {
      const q = parseLogQuery(url);
      const format = url.searchParams.get('format') ?? 'ndjson';
      if (format !== 'ndjson' && format !== 'text') throw new HttpError(400, 'invalid_format', 'format must be ndjson or text', 'format');
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      res.writeHead(200, {
        'content-type': format === 'ndjson' ? 'application/x-ndjson; charset=utf-8' : 'text/plain; charset=utf-8',
        'content-disposition': `attachment; filename="heavy-rotation-logs-${stamp}.${format === 'ndjson' ? 'ndjson' : 'log'}"`,
        'cache-control': 'no-store',
      });
      for (const chunk of o.logs.export({ ...q, limit: q.limit ?? 50_000 }, format)) {
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
      return;
    }
    if (route === 'GET /control/doctor') {
      if (!o.doctor) throw new HttpError(501, 'not_available', 'doctor checks are not available in this build');
      return sendJson(res, 200, await o.doctor());
    }
    throw new HttpError(404, 'not_found', `no route ${m} ${url.pathname}`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) return sendError(res, err);
      o.log?.error({ err, path: req.url }, 'control request failed');
      sendError(res, new HttpError(500, 'internal', (err as Error).message));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${boundPort}`;
  o.log?.info({ url }, 'control server listening');
  return {
    url,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SSE followers and keep-alive sockets would hold close() open
        for (const s of sockets) s.destroy();
      }),
  };
}
