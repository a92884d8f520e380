import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Constant-time token comparison (hashing first hides the length too). */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given || !expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True for requests an EventSource makes: GET with Accept: text/event-stream. */
export function isEventStreamGet(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/event-stream');
}

/**
 * The bearer token of a request: the Authorization header, or — only for
 * EventSource GETs, which cannot set headers — the `token` query parameter.
 */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const h = req.headers.authorization;
  if (h) {
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    return m?.[1]?.trim();
  }
  if (isEventStreamGet(req)) return url.searchParams.get('token') ?? undefined;
  return undefined;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * DNS-rebinding guard: the Host header must name a loopback address (or one
 * of `extra`) with our port. Requests without a Host header (HTTP/1.0) pass.
 */
export function hostAllowed(host: string | undefined, port: number, extra: string[] = []): boolean {
  if (host === undefined) return true;
  const h = host.trim().toLowerCase();
  if (LOOPBACK_NAMES.some((n) => h === `${n}:${port}` || (port === 80 && h === n))) return true;
  // configured names may be given with or without a port
  return extra.map((e) => e.trim().toLowerCase()).some((n) => n && (h === n || h === `${n}:${port}`));
}
