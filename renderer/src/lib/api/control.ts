import type { Http } from './http';
import type { Account, AuthStateWire, DeviceFlowStart, DeviceFlowStatus, DoctorReport, GitHubAppStatus, LogLine, PendingSignIn, ProcessInfo, StackStatus } from './wire';

/** GET /control/auth as the UI holds it: the active account resolved. */
export interface AuthStatus {
  accounts: Account[];
  active: Account | null;
  pending?: PendingSignIn;
}

const enc = encodeURIComponent;

/** a doctor check as the CLI prints it (main/cli/commands/doctor.ts) */
interface DoctorWireCheck {
  id?: string;
  name?: string;
  title?: string;
  ok?: boolean;
  warn?: boolean;
  status?: 'ok' | 'warn' | 'fail';
  detail?: string;
  fix?: string;
}

export interface LogQuery {
  /** comma-separated service names */
  service?: string;
  /** minimum level */
  level?: string;
  q?: string;
  limit?: number;
  /** stream: lines of backlog before following (server default 100) */
  tail?: number;
}

/** Control-server routes: stack, processes, doctor, logs, sign-in. */
export class ControlApi {
  constructor(private readonly http: Http) {}

  stack(): Promise<StackStatus> {
    return this.http.get('/control/stack');
  }
  /** `provider` switches providers; the control plane remembers the choice (config.json) */
  stackUp(provider?: 'docker' | 'native'): Promise<unknown> {
    return this.http.post(provider ? `/control/stack/up?provider=${provider}` : '/control/stack/up');
  }
  stackDown(): Promise<unknown> {
    return this.http.post('/control/stack/down');
  }
  progressUrl(): string {
    return this.http.authedUrl('/control/stack/progress');
  }

  processes(): Promise<ProcessInfo[]> {
    return this.http
      .get<{ processes: ProcessInfo[] } | ProcessInfo[]>('/control/processes')
      .then((r) => (Array.isArray(r) ? r : r.processes));
  }
  restartProcess(name: string): Promise<unknown> {
    return this.http.post(`/control/processes/${enc(name)}/restart`);
  }

  /** `topk doctor --json` as served by /control/doctor, in the UI's shape. */
  async doctor(): Promise<DoctorReport> {
    const r = await this.http.get<{ checks: DoctorWireCheck[]; provider?: unknown; nativeUsable?: unknown }>('/control/doctor');
    const checks = (r.checks ?? []).map((c, i) => ({
      id: c.id ?? `${c.name ?? 'check'}-${i}`,
      title: c.title ?? c.name ?? 'Check',
      status: c.status ?? (c.ok ? (c.warn ? 'warn' : 'ok') : 'fail'),
      detail: c.detail,
      fix: c.fix,
    })) satisfies DoctorReport['checks'];
    return { ok: checks.every((c) => c.status !== 'fail'), checks, ...(typeof r.nativeUsable === 'boolean' ? { nativeUsable: r.nativeUsable } : {}) };
  }

  logs(q: LogQuery = {}): Promise<LogLine[]> {
    return this.http
      .get<{ entries: LogLine[] }>('/control/logs', { ...q })
      .then((r) => r.entries);
  }
  logStreamUrl(q: LogQuery = {}): string {
    return this.http.authedUrl('/control/logs/stream', { ...q });
  }
  /** Downloads the matching lines (the export needs the bearer header, so it goes through fetch). */
  async exportLogs(q: LogQuery = {}, format: 'ndjson' | 'text' = 'text'): Promise<Blob> {
    const res = await fetch(this.http.url('/control/logs/export', { ...q, format }), { headers: { Authorization: `Bearer ${this.http.token}` } });
    if (!res.ok) throw new Error(`Export failed (${res.status})`);
    return res.blob();
  }

  async auth(): Promise<AuthStatus> {
    const w = await this.http.get<AuthStateWire>('/control/auth');
    const accounts = w.accounts ?? [];
    const active = accounts.find((a) => a.user_id === w.active_user_id) ?? accounts.find((a) => a.active) ?? null;
    return { accounts, active, pending: w.pending };
  }
  /** the GitHub OAuth App sign-in uses, or how to register one */
  githubApp(): Promise<GitHubAppStatus> {
    return this.http.get('/control/auth/github-app');
  }
  /** saves a pasted OAuth App client id (config.json) */
  setGithubClientId(clientId: string): Promise<GitHubAppStatus> {
    return this.http.put('/control/auth/github-app', { client_id: clientId });
  }
  startDeviceFlow(): Promise<DeviceFlowStart> {
    return this.http.post('/control/auth/device');
  }
  deviceFlowStatus(): Promise<DeviceFlowStatus> {
    return this.http.get('/control/auth/device');
  }
  cancelDeviceFlow(): Promise<unknown> {
    return this.http.delete('/control/auth/device');
  }
  switchAccount(userId: string): Promise<unknown> {
    return this.http.post('/control/auth/active', { user_id: userId });
  }
  signOut(userId: string): Promise<unknown> {
    return this.http.delete(`/control/auth/accounts/${enc(userId)}`);
  }
}
