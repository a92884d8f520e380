import type { ErrorBody } from './wire';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface HttpOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
}

/** Minimal JSON-over-HTTP client with bearer auth and the project's error shape. */
export class Http {
  private readonly f: typeof fetch;
  constructor(private readonly o: HttpOptions) {
    this.f = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  get token(): string {
    return this.o.token;
  }

  url(path: string, query?: Query): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
    const qs = q.toString();
    return `${this.o.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /** URL for EventSource/downloads, which cannot send headers: the token goes in the query. */
  authedUrl(path: string, query?: Query): string {
    return this.url(path, { ...query, token: this.o.token });
  }

  async request<T>(method: string, path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.o.token) headers.Authorization = `Bearer ${this.o.token}`;
    let body: BodyInit | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await this.f(this.url(path, opts.query), { method, headers, body, signal: opts.signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiError(0, 'network', 'Cannot reach the Heavy Rotation server. Is it still running?');
    }
    const text = await res.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!res.ok) throw toApiError(res.status, data, res.statusText);
    return data as T;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { query, signal });
  }
  post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.request<T>('POST', path, { body: body ?? {}, query });
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body: body ?? {} });
  }
  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body: body ?? {} });
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }
}

export function toApiError(status: number, data: unknown, fallback: string): ApiError {
  const err = (data as Partial<ErrorBody> | undefined)?.error;
  if (err && typeof err === 'object' && typeof err.message === 'string') {
    return new ApiError(status, err.code ?? String(status), err.message, err.field);
  }
  if (status === 401) return new ApiError(401, 'unauthorized', 'This window is not authorised. Open the link that `topk serve` printed.');
  if (status === 502 || status === 503) return new ApiError(status, 'unavailable', 'The engine is not running yet. Start the stack on the Stack screen.');
  return new ApiError(status, String(status), fallback || `Request failed (${status})`);
}

/** A message fit for an error banner. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.field ? `${e.message} (${e.field})` : e.message;
  if (e instanceof Error) return e.message;
  return 'Something went wrong.';
}
