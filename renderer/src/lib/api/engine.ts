import type { Http } from './http';
import type {
  ActivityReport,
  CrawlRecord,
  DiscoveriesReport,
  HeatmapReport,
  ImportReport,
  ListensPage,
  RowMovement,
  PipelineStatus,
  ScheduleRecord,
  SourceRecord,
  User,
  UserMovementPage,
  UserTopPage,
  operations,
  paths,
} from './wire';

/**
 * The window and page of a Top-K request. The document's `window` object parameter (days, or from and to, sent
 * flat) carries an anyOf that openapi-typescript renders as `unknown`, so its three fields are named here.
 */
export type TopWindow = { days?: number; from?: string; to?: string } & Pick<NonNullable<operations['getV1TopKind']['parameters']['query']>, 'limit' | 'offset'>;

/** A Top-K page; without a user to ask about, an empty page that carries only the paging fields. */
export type TopAnswer = Pick<UserTopPage, 'limit' | 'offset' | 'total' | 'results'> & Partial<Omit<UserTopPage, 'limit' | 'offset' | 'total' | 'results'>>;

export type { RowMovement };

/** A ranking with movement; without a user to ask about, an empty page. */
export type MovementAnswer = Pick<UserMovementPage, 'limit' | 'offset' | 'total' | 'results' | 'covered' | 'previous'> &
  Partial<Omit<UserMovementPage, 'limit' | 'offset' | 'total' | 'results' | 'covered' | 'previous'>>;

const enc = encodeURIComponent;
/** Engine API routes as the control server proxies them (prefix stripped by the proxy). */
export const API = '/api';

export type TopKind = 'tracks' | 'artists';
export type TopScope = 'me' | 'friends' | 'global';

/** Every engine route the UI calls, as OpenAPI path templates (type-checked against the generated `paths`). */
export const ENGINE_ROUTES = [
  ['get', '/v1/users'],
  ['put', '/v1/users/{user_id}'],
  ['get', '/v1/users/{user_id}/top/{kind}'],
  ['get', '/v1/users/{user_id}/friends/top/{kind}'],
  ['get', '/v1/top/{kind}'],
  ['get', '/v1/users/{user_id}/listens'],
  ['get', '/v1/users/{user_id}/sources'],
  ['put', '/v1/users/{user_id}/sources/simulator'],
  ['put', '/v1/users/{user_id}/sources/listenbrainz'],
  ['put', '/v1/users/{user_id}/sources/lastfm'],
  ['delete', '/v1/users/{user_id}/sources/simulator'],
  ['delete', '/v1/users/{user_id}/sources/listenbrainz'],
  ['delete', '/v1/users/{user_id}/sources/lastfm'],
  ['patch', '/v1/users/{user_id}/sources/{source}/schedule'],
  ['post', '/v1/users/{user_id}/crawls'],
  ['post', '/v1/users/{user_id}/sources/{source}/crawls'],
  ['get', '/v1/users/{user_id}/crawls'],
  ['get', '/v1/crawls/{crawl_id}'],
  ['post', '/v1/users/{user_id}/imports'],
  ['get', '/v1/pipeline'],
  ['get', '/v1/events'],
  ['get', '/v1/users/{user_id}/top/{kind}/movement'],
  ['get', '/v1/users/{user_id}/friends/top/{kind}/movement'],
  ['get', '/v1/top/{kind}/movement'],
  ['get', '/v1/users/{user_id}/activity'],
  ['get', '/v1/users/{user_id}/heatmap'],
  ['get', '/v1/users/{user_id}/discoveries'],
] as const satisfies ReadonlyArray<readonly [string, keyof paths]>;

export class EngineApi {
  constructor(private readonly http: Http) {}

  listUsers(): Promise<User[]> {
    return this.http.get<{ users: User[] } | User[]>(`${API}/v1/users`).then((r) => (Array.isArray(r) ? r : r.users));
  }

  putUser(userId: string, body: { display_name?: string }): Promise<User> {
    return this.http.put<User>(`${API}/v1/users/${enc(userId)}`, body);
  }

  /** The change stream (Server-Sent Events) for EventSource, which cannot send headers: the token rides in the query. */
  eventsUrl(): string {
    return this.http.authedUrl(`${API}/v1/events`);
  }

  top(kind: TopKind, scope: TopScope, userId: string | null, w: TopWindow, signal?: AbortSignal): Promise<TopAnswer> {
    let path: string;
    if (scope === 'global') path = `${API}/v1/top/${kind}`;
    else if (!userId) return Promise.resolve({ limit: w.limit ?? 10, offset: 0, total: 0, results: [] });
    else if (scope === 'friends') path = `${API}/v1/users/${enc(userId)}/friends/top/${kind}`;
    else path = `${API}/v1/users/${enc(userId)}/top/${kind}`;
    return this.http.get(path, { days: w.days, from: w.from, to: w.to, limit: w.limit, offset: w.offset }, signal);
  }

  /** The ranking with each row's movement against the previous window of the same length. */
  movement(kind: TopKind, scope: TopScope, userId: string | null, w: TopWindow, signal?: AbortSignal): Promise<MovementAnswer> {
    let path: string;
    if (scope === 'global') path = `${API}/v1/top/${kind}/movement`;
    else if (!userId) return Promise.resolve({ limit: w.limit ?? 10, offset: 0, total: 0, results: [], covered: false, previous: null });
    else if (scope === 'friends') path = `${API}/v1/users/${enc(userId)}/friends/top/${kind}/movement`;
    else path = `${API}/v1/users/${enc(userId)}/top/${kind}/movement`;
    return this.http.get(path, { days: w.days, from: w.from, to: w.to, limit: w.limit, offset: w.offset }, signal);
  }

  activity(userId: string, w: TopWindow, signal?: AbortSignal): Promise<ActivityReport> {
    return this.http.get(`${API}/v1/users/${enc(userId)}/activity`, { days: w.days, from: w.from, to: w.to }, signal);
  }

  heatmap(userId: string, w: TopWindow, tz: string, signal?: AbortSignal): Promise<HeatmapReport> {
    return this.http.get(`${API}/v1/users/${enc(userId)}/heatmap`, { days: w.days, from: w.from, to: w.to, tz }, signal);
  }

  discoveries(userId: string, w: TopWindow, limit: number, signal?: AbortSignal): Promise<DiscoveriesReport> {
    return this.http.get(`${API}/v1/users/${enc(userId)}/discoveries`, { days: w.days, from: w.from, to: w.to, limit }, signal);
  }

  listens(userId: string, opts: { before?: number | string; limit?: number } = {}, signal?: AbortSignal): Promise<ListensPage> {
    return this.http.get(`${API}/v1/users/${enc(userId)}/listens`, opts, signal);
  }

  listSources(userId: string): Promise<SourceRecord[]> {
    return this.http
      .get<{ sources: SourceRecord[] } | SourceRecord[]>(`${API}/v1/users/${enc(userId)}/sources`)
      .then((r) => (Array.isArray(r) ? r : r.sources));
  }

  connectSource(userId: string, source: string, body: Record<string, unknown>): Promise<unknown> {
    return this.http.put(`${API}/v1/users/${enc(userId)}/sources/${enc(source)}`, body);
  }

  removeSource(userId: string, source: string): Promise<unknown> {
    return this.http.delete(`${API}/v1/users/${enc(userId)}/sources/${enc(source)}`);
  }

  setSchedule(userId: string, source: string, patch: { interval_seconds?: number; paused?: boolean }): Promise<ScheduleRecord> {
    return this.http.patch(`${API}/v1/users/${enc(userId)}/sources/${enc(source)}/schedule`, patch);
  }

  crawlNow(userId: string, source: string): Promise<{ crawl_id: string }> {
    return this.http.post(`${API}/v1/users/${enc(userId)}/crawls`, { source });
  }

  /** Runs the source's schedule now (also the retry after a failed run). */
  runSource(userId: string, source: string): Promise<CrawlRecord> {
    return this.http.post(`${API}/v1/users/${enc(userId)}/sources/${enc(source)}/crawls`);
  }

  listCrawls(userId: string, source?: string, limit = 10): Promise<CrawlRecord[]> {
    return this.http
      .get<{ crawls: CrawlRecord[] } | CrawlRecord[]>(`${API}/v1/users/${enc(userId)}/crawls`, { source, limit })
      .then((r) => (Array.isArray(r) ? r : r.crawls));
  }

  getCrawl(crawlId: string): Promise<CrawlRecord> {
    return this.http.get(`${API}/v1/crawls/${enc(crawlId)}`);
  }

  pipeline(): Promise<PipelineStatus> {
    return this.http.get(`${API}/v1/pipeline`);
  }

  /**
   * How many days the engine keeps (TOPK_RETENTION_DAYS), read from the API's
   * own description: the maximum of the Top-K `days` parameter. Null when unknown.
   */
  async retentionDays(signal?: AbortSignal): Promise<number | null> {
    const doc = await this.http.get<{ paths?: Record<string, { get?: { parameters?: { name?: string; schema?: { maximum?: unknown; properties?: { days?: { maximum?: unknown } } } }[] } }> }>(`${API}/openapi.json`, undefined, signal);
    const params = doc.paths?.['/v1/users/{user_id}/top/{kind}']?.get?.parameters ?? doc.paths?.['/v1/top/{kind}']?.get?.parameters ?? [];
    // `days` sits in the `window` object parameter (days, or from and to); older documents list it on its own
    const max = params.find((p) => p.name === 'window')?.schema?.properties?.days?.maximum ?? params.find((p) => p.name === 'days')?.schema?.maximum;
    return typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : null;
  }

  /** Streams a file to the import endpoint with upload progress (fetch has no upload progress). */
  importFile(userId: string, file: File, onProgress: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<ImportReport> {
    return uploadWithProgress(this.http.url(`${API}/v1/users/${enc(userId)}/imports`, { filename: file.name }), this.http.token, file, onProgress, signal);
  }
}

export function uploadWithProgress(
  url: string,
  token: string,
  file: Blob,
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new Error('Upload failed: the server could not be reached.'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    xhr.onload = () => {
      let data: unknown;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as ImportReport);
      else {
        const msg = (data as { error?: { message?: string } } | undefined)?.error?.message;
        reject(new Error(msg ?? `Upload failed (${xhr.status})`));
      }
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
