/**
 * Shapes of the engine API (mirrors /openapi.json) and the control server.
 * Keep in step with engine/api/ and main/control/; client.spec.ts checks the
 * routes against the live OpenAPI document.
 */

export interface ApiErrorBody {
  error: { code?: string; message: string; field?: string };
}

// ---------- engine API (/api/...) ----------

export interface User {
  user_id: string;
  display_name?: string | null;
  created_at?: string;
}

export interface TrackRow {
  rank: number;
  song_id: string;
  title: string | null;
  artist: string | null;
  listen_count: number;
}

export interface ArtistRow {
  rank: number;
  /** "" when the tracks carry no artist metadata */
  artist: string;
  listen_count: number;
  track_count?: number;
}

export interface TopWindow {
  days?: number;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export interface TopResponse<Row> {
  user_id?: string;
  days?: number;
  from?: string;
  to?: string;
  from_ts?: string | number;
  to_ts?: string | number;
  limit: number;
  offset: number;
  total: number;
  last_updated?: string | number | null;
  cached?: boolean;
  results: Row[];
}

export interface Listen {
  user_id?: string;
  source: string;
  listened_at: number | string;
  song_id: string;
  title: string;
  artist: string;
  album?: string | null;
}

export interface ListensResponse {
  listens: Listen[];
  next_before?: number | string | null;
}

export type CrawlState = 'queued' | 'running' | 'done' | 'failed';

export interface CrawlRecord {
  crawl_id: string;
  user_id: string;
  source: string;
  trigger: 'manual' | 'schedule' | 'retry' | 'import';
  state: CrawlState;
  listens_fetched: number;
  listens_published: number;
  pages: number;
  /** pages read only to re-read the look-back window (late listens) */
  lookback_pages?: number;
  /** an import's progress through its file */
  bytes_read?: number;
  bytes_total?: number;
  error?: string | null;
  created_at: string;
  started_at?: string | null;
  finished_at?: string | null;
}

export interface ScheduleRecord {
  user_id: string;
  source: string;
  interval_seconds: number;
  paused: boolean;
  next_run_at: string | null;
  state: string;
  last_run_at?: string | null;
  last_crawl_id?: string | null;
  last_error?: string | null;
}

export interface SourceRecord {
  user_id: string;
  source: string;
  config: Record<string, unknown>;
  created_at: string;
  schedule: ScheduleRecord;
}

export interface ImportReport {
  crawl_id: string;
  format: string;
  lines_read: number;
  listens_accepted: number;
  skipped: number;
  skipped_reasons: Record<string, number>;
  state: CrawlState;
  error?: string;
  files?: string[];
}

export interface PipelineStatus {
  consumer_lag: number;
  [k: string]: unknown;
}

// ---------- control server (/control/...) ----------

export type ServiceName = 'kafka' | 'cassandra' | 'redis';
export type ServiceState = 'absent' | 'stopped' | 'starting' | 'running' | 'unhealthy' | 'error';

export interface ServiceStatus {
  name: ServiceName;
  state: ServiceState;
  health?: 'healthy' | 'unhealthy' | 'starting' | 'none';
  endpoint?: string;
  pid?: number;
  containerId?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  version?: string;
  detail?: string;
}

export interface StackStatus {
  provider: 'docker' | 'native' | 'external';
  /** overall phase of the control plane, when the server reports it */
  phase?: string;
  services: ServiceStatus[];
  error?: string | null;
  /** IMAGE_UNAVAILABLE: the Docker engine cannot pull the stack's images */
  errorCode?: string | null;
  /** why this provider: requested, saved (config.json, e.g. after a fallback from Docker) or auto */
  providerHow?: 'requested' | 'saved' | 'auto' | null;
  providerReason?: string | null;
  savedProvider?: 'docker' | 'native' | 'external' | null;
}

export interface ProgressEvent {
  service: ServiceName | 'stack';
  phase: 'download' | 'pull' | 'create' | 'start' | 'wait' | 'ready' | 'stop' | 'remove' | 'error';
  message: string;
  percent?: number;
  bytesDone?: number;
  bytesTotal?: number;
}

export type ProcessState = 'stopped' | 'starting' | 'running' | 'backoff' | 'stopping' | 'failed';

export interface ProcessInfo {
  name: string;
  state: ProcessState;
  pid: number | null;
  startedAt: string | null;
  uptimeSeconds: number | null;
  restarts: number;
  recentCrashes: number;
  memoryRssBytes: number | null;
  lastExitCode: number | null;
  lastSignal: string | null;
  lastError: string | null;
  nextRestartAt: string | null;
}

export interface DoctorCheck {
  id: string;
  title: string;
  status: 'ok' | 'warn' | 'fail';
  detail?: string;
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  provider?: string;
  /** whether the native provider (Java processes, redis-server) can run on this machine */
  nativeUsable?: boolean;
  checks: DoctorCheck[];
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogLine {
  seq: number;
  /** ISO time */
  time: string;
  service: string;
  level: LogLevel;
  msg: string;
  stream?: 'stdout' | 'stderr';
  fields?: Record<string, unknown>;
}

export interface Account {
  /** the app user id this account maps to (lower-case login) */
  user_id: string;
  login: string;
  name?: string | null;
  avatar_url?: string | null;
  active?: boolean;
}

export type DeviceFlowState = 'pending' | 'slow_down' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'error';

export interface PendingSignIn {
  user_code: string;
  verification_uri: string;
  expires_at: string;
  interval: number;
  state: DeviceFlowState;
  error?: string;
}

/** GET /control/auth as the server sends it (main/auth/auth-service.ts AuthState) */
export interface AuthStateWire {
  accounts: Account[];
  active_user_id: string | null;
  pending?: PendingSignIn;
}

export interface AuthStatus {
  accounts: Account[];
  active: Account | null;
  pending?: PendingSignIn;
}

/** GET|PUT /control/auth/github-app (main/auth/github-app.ts GitHubAppStatus) */
export interface GitHubAppStatus {
  configured: boolean;
  client_id: string | null;
  source: 'environment' | 'config.json' | null;
  register_url: string;
  steps: string[];
}

export interface DeviceFlowStart {
  user_code: string;
  verification_uri: string;
  expires_in: number;
  expires_at?: string;
  interval: number;
}

export interface DeviceFlowStatus {
  user_code: string;
  verification_uri: string;
  expires_at: string;
  interval: number;
  state: DeviceFlowState;
  error?: string;
  /** set once the flow is approved and the account saved */
  user_id?: string;
}

/** Movement of a chart row against the previous window of the same length (null: retention does not hold it). */
export interface RowMovement {
  previous_rank: number | null;
  change: 'up' | 'down' | 'same' | 'new' | null;
  delta: number | null;
}

export interface MovementResponse<Row> extends TopResponse<Row & RowMovement> {
  covered: boolean;
  previous: { from: string; to: string; total: number } | null;
  reason?: string;
}

export interface ActivityDay {
  day: string;
  mine: number;
  friends: number;
  everyone: number;
}

export interface ActivityResponse {
  user_id: string;
  from: string;
  to: string;
  days: number;
  friends: number;
  series: ActivityDay[];
  totals: { mine: number; friends: number; everyone: number };
}

export interface HeatmapResponse {
  user_id: string;
  from: string;
  to: string;
  tz: string;
  total: number;
  max: number;
  /** [weekday Monday..Sunday][hour 0..23] */
  cells: number[][];
}

export interface DiscoveriesResponse {
  user_id: string;
  from: string;
  to: string;
  days: number;
  known_from: string;
  history_days: number;
  total_tracks: number;
  total_artists: number;
  tracks: { song_id: string; title: string | null; artist: string | null; first_day: string; listen_count: number }[];
  artists: { artist: string; first_day: string; listen_count: number }[];
}
