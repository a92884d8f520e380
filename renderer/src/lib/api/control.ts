import type { Http } from './http';
import type { AuthStateWire, AuthStatus, DeviceFlowStart, DeviceFlowStatus, DoctorReport, LogLine, ProcessInfo, StackStatus } from './types';

const enc = encodeURIComponent;

export interface LogQuery {
  service?: string;
  level?: string;
  q?: string;
  limit?: number;
  before?: number;
}

/** Control-server routes: stack, processes, doctor, logs, sign-in. */
export class ControlApi {
  constructor(private readonly http: Http) {}

  stack(): Promise<StackStatus> {
    return this.http.get('/control/stack');
  }
  stackUp(): Promise<unknown> {
    return this.http.post('/control/stack/up');
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

  doctor(): Promise<DoctorReport> {
    return this.http.get('/control/doctor');
  }

  logs(q: LogQuery = {}): Promise<LogLine[]> {
    return this.http
      .get<{ lines: LogLine[] } | LogLine[]>('/control/logs', { ...q })
      .then((r) => (Array.isArray(r) ? r : r.lines));
  }
  logStreamUrl(q: LogQuery = {}): string {
    return this.http.authedUrl('/control/logs/stream', { ...q });
  }
  logExportUrl(q: LogQuery = {}): string {
    return this.http.authedUrl('/control/logs/export', { ...q });
  }

  async auth(): Promise<AuthStatus> {
    const w = await this.http.get<AuthStateWire>('/control/auth');
    const accounts = w.accounts ?? [];
    const active = accounts.find((a) => a.user_id === w.active_user_id) ?? accounts.find((a) => a.active) ?? null;
    return { accounts, active, pending: w.pending };
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
