import { request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** Headers that belong to one connection and must not be forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'cookie']);

export interface ApiProxyOptions {
  /** where the engine API listens */
  host: string;
  port: number;
  /** bearer token added to every forwarded request */
  token: string;
  /** path prefix stripped before forwarding (default /api) */
  prefix?: string;
  /** give up connecting after this long (default 10 s); streamed bodies have no overall limit */
  connectTimeoutMs?: number;
  /**
   * Called with each answer's status before its headers reach the client, and
   * awaited: what it does is done when the client sees the answer. Its errors
   * are its own (the answer is forwarded anyway).
   */
  onAnswer?: (answer: { method: string; path: string; status: number }) => Promise<void> | void;
}

/**
 * Streams `/api/*` to the engine API: strips the prefix, replaces the
 * client's credentials with the API token, and pipes bodies both ways
 * untouched (SSE and chunked responses flow as they come). When the API
 * cannot be reached the client gets 502 with a JSON error.
 */
export function createApiProxy(opts: ApiProxyOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => void {
  const prefix = opts.prefix ?? '/api';
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return (req, res, url) => {
    const params = new URLSearchParams(url.search);
    params.delete('token');
    const qs = params.toString();
    const path = (url.pathname.slice(prefix.length) || '/') + (qs ? `?${qs}` : '');
    const headers: IncomingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    headers.authorization = `Bearer ${opts.token}`;
    headers.host = `${host.includes(':') ? `[${host}]` : host}:${opts.port}`;
    headers['x-forwarded-prefix'] = prefix;

    let answered = false;
    const upstream = request({ host, port: opts.port, method: req.method, path, headers, timeout: opts.connectTimeoutMs ?? 10_000 }, (up) => {
      answered = true;
      upstream.setTimeout(0);
      if (opts.onAnswer) {
        up.pause();
        void Promise.resolve()
          .then(() => opts.onAnswer!({ method: req.method ?? 'GET', path: url.pathname.slice(prefix.length) || '/', status: up.statusCode ?? 502 }))
          .catch(() => undefined)
          .then(() => forward(up));
      } else forward(up);
    });
    const forward = (up: IncomingMessage): void => {
      if (res.destroyed) {
        up.destroy();
        return;
      }
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, out);
      if ((up.headers['content-type'] ?? '').includes('text/event-stream')) res.flushHeaders();
      up.pipe(res);
      up.on('error', () => res.destroy());
    };
    const fail = (err: Error) => {
      if (answered || res.headersSent) {
        res.destroy();
        return;
      }
      answered = true;
      const body = JSON.stringify({ error: { code: 'api_unavailable', message: `the engine API at ${host}:${opts.port} did not answer: ${err.message}` } });
      res.writeHead(502, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
    upstream.on('error', fail);
    // the client went away: stop the upstream request (ends SSE followers upstream too)
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}
