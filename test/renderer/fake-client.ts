import { createClient, type Client } from '../../renderer/src/lib/api/client';
import { setClient } from '../../renderer/src/lib/context';

export type Handler = (req: { method: string; path: string; query: URLSearchParams; body: unknown }) => { status?: number; body?: unknown } | unknown;

/**
 * Installs an API client whose fetch answers from `routes` ("GET /api/v1/users": handler
 * or value). Unknown routes answer 404 in the project's error shape. Returns the calls made.
 */
export function installFakeClient(routes: Record<string, Handler | unknown>): { client: Client; calls: { method: string; path: string; body: unknown }[] } {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method, path: url.pathname, body });
    const key = `${method} ${url.pathname}`;
    if (!(key in routes)) return new Response(JSON.stringify({ error: { code: 'not_found', message: `no route ${key}` } }), { status: 404 });
    const h = routes[key];
    const out = typeof h === 'function' ? (h as Handler)({ method, path: url.pathname, query: url.searchParams, body }) : h;
    const withStatus = out && typeof out === 'object' && 'status' in out && 'body' in out ? (out as { status: number; body: unknown }) : { status: 200, body: out };
    return new Response(JSON.stringify(withStatus.body), { status: withStatus.status, headers: { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
  const client = createClient({ baseUrl: 'http://127.0.0.1:7800', token: 't0k', openExternal: () => {} }, fetchImpl);
  setClient(client);
  return { client, calls };
}
