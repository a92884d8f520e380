import { createHash, timingSafeEqual } from 'node:crypto';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The host name of a Host header, lower-cased, without the port (IPv6 keeps its brackets). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/**
 * DNS-rebinding guard: accepts loopback names with any port, plus the
 * configured extra names (a bare name accepts any port; `name:port` only
 * that port).
 */
export function makeHostCheck(allowedHosts: string[]): (host: string | undefined) => boolean {
  const names = new Set<string>();
  const exact = new Set<string>();
  for (const a of allowedHosts) {
    const v = a.trim().toLowerCase();
    if (!v) continue;
    if (hostName(v) === v) names.add(v);
    else exact.add(v);
  }
  return (host) => {
    if (!host) return false;
    const h = host.trim().toLowerCase();
    const name = hostName(h);
    return LOOPBACK_NAMES.has(name) || names.has(name) || exact.has(h);
  };
}

/** Constant-time bearer token check (both sides hashed first so lengths never leak). */
export function makeTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const want = createHash('sha256').update(token).digest();
  // the usual exact header, compared in constant time without hashing (only its length, public, is revealed)
  const exact = Buffer.from(`Bearer ${token}`, 'utf8');
  return (authorization) => {
    if (authorization !== undefined && authorization.length === exact.length) {
      const got = Buffer.from(authorization, 'utf8');
      if (got.length === exact.length && timingSafeEqual(got, exact)) return token.length > 0;
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const got = createHash('sha256')
      .update(m?.[1] ?? '')
      .digest();
    return timingSafeEqual(want, got) && m !== null && token.length > 0;
  };
}

/** Origins of the control server (the only browser origins allowed to call the API). */
export function controlOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}
