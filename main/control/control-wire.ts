/**
 * Wire shapes of the control server's own routes (/control/...) that the UI
 * reads: one definition, imported by the control plane and (types only) by
 * the renderer. Nothing here may import a Node module: the renderer's
 * type-check reads this file. The engine API's shapes are generated into
 * engine/api/wire-types.ts.
 */
export type ServiceName = 'kafka' | 'cassandra' | 'redis';
export type ServiceState = 'absent' | 'stopped' | 'starting' | 'running' | 'unhealthy' | 'error';

export interface ServiceStatus {
  name: ServiceName;
  state: ServiceState;
  health?: 'healthy' | 'unhealthy' | 'starting' | 'none';
  /** where the host reaches it, e.g. 127.0.0.1:9092 */
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

/** Progress of a long step: downloading jars, pulling images, starting, waiting for health. */
export interface ProgressEvent {
  service: ServiceName | 'stack';
  phase: 'download' | 'pull' | 'create' | 'start' | 'wait' | 'ready' | 'stop' | 'remove' | 'error';
  message: string;
  /** 0..100 when known */
  percent?: number;
  bytesDone?: number;
  bytesTotal?: number;
}

export type ProcessState = 'stopped' | 'starting' | 'running' | 'backoff' | 'stopping' | 'failed';

export interface ProcessInfo {
  name: string;
  state: ProcessState;
  pid: number | null;
  /** ISO time the current process started */
  startedAt: string | null;
  uptimeSeconds: number | null;
  /** automatic + manual restarts since the supervisor started */
  restarts: number;
  /** crashes counted in the current crash window */
  recentCrashes: number;
  memoryRssBytes: number | null;
  lastExitCode: number | null;
  lastSignal: string | null;
  lastError: string | null;
  /** ISO time of the next automatic restart while in backoff */
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

/** a log entry as /control/logs and /control/logs/stream send it (main/logs/log-store.ts LogEntry) */
export interface LogLine {
  /** increasing per store; usable as an SSE event id */
  seq: number;
  /** ISO time */
  time: string;
  service: string;
  level: LogLevel;
  msg: string;
  /** where the line came from: an engine/stack process stream, or the control plane itself */
  stream?: 'stdout' | 'stderr';
  /** the other fields of a JSON line (already redacted) */
  fields?: Record<string, unknown>;
}

export interface Account {
  /** the app user id this account maps to (lower-case login) */
  user_id: string;
  login: string;
  name: string | null;
  avatar_url: string;
  active: boolean;
}

export type DeviceFlowState = 'pending' | 'slow_down' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'error';

/** the states a sign-in still shown as pending can be in */
export type PendingState = 'pending' | 'slow_down' | 'denied' | 'expired' | 'error';

export interface PendingSignIn {
  user_code: string;
  verification_uri: string;
  expires_at: string;
  interval: number;
  state: PendingState;
  error?: string;
}

/** GET /control/auth as the server sends it (main/auth/auth-service.ts AuthState) */
export interface AuthStateWire {
  accounts: Account[];
  active_user_id: string | null;
  pending?: PendingSignIn;
}

/** What the sign-in screen and `topk login` show about the OAuth App (GET|PUT /control/auth/github-app). */
export interface GitHubAppStatus {
  configured: boolean;
  client_id: string | null;
  /** where the client id in use comes from */
  source: 'environment' | 'config.json' | null;
  /** GitHub's page for registering a new OAuth App */
  register_url: string;
  /** how to register one, step by step */
  steps: string[];
}

export interface DeviceFlowStart {
  user_code: string;
  verification_uri: string;
  expires_in: number;
  expires_at?: string;
  interval: number;
}

/** GET /control/auth/device: the latest device flow, including how it ended */
export interface DeviceFlowStatus {
  user_code: string;
  verification_uri: string;
  /** ISO time the user code stops working */
  expires_at: string;
  /** seconds between polls right now (grows by 5 on each slow_down) */
  interval: number;
  state: DeviceFlowState;
  error?: string;
  /** set once the flow is approved and the account saved */
  user_id?: string;
}

// ---- GET /control/inspect/kafka and …/kafka/topics/{topic}/messages (read-only views of Kafka)

export interface KafkaPartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  start_offset: string;
  end_offset: string;
  messages: number;
}
export interface KafkaTopicInfo {
  name: string;
  partitions: KafkaPartitionInfo[];
  replication_factor: number;
  messages: number;
  /** summed over the consumer groups that committed offsets on this topic */
  lag?: number;
}
export interface KafkaGroupLagInfo {
  topic: string;
  partition: number;
  committed: string | null;
  end_offset: string;
  lag: number;
}
export interface KafkaGroupInfo {
  group_id: string;
  state: string;
  members: number;
  lag: KafkaGroupLagInfo[];
  total_lag: number;
}
export interface KafkaOverview {
  topics: KafkaTopicInfo[];
  groups: KafkaGroupInfo[];
}
export interface KafkaMessageInfo {
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  /** parsed JSON when the value is JSON, else the text */
  value: unknown;
  /** DLQ: why the message was rejected */
  reason?: string;
}
export interface KafkaMessagesResult {
  messages: KafkaMessageInfo[];
  /** key search: how many of the newest messages per partition were searched */
  searched_per_partition?: number;
  /** what the answer covers, for the UI (key search: a bounded window per partition) */
  note?: string;
  /** the wall-clock limit hit before every partition was read */
  timed_out?: boolean;
}
