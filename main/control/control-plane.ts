import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import { appRoot, rendererDir } from '../../engine/shared/app-paths';
import { configToEnv } from '../../engine/shared/config';
import type { Config } from '../../engine/shared/config';
import { createLogger } from '../../engine/shared/logger';
import type { Logger } from '../../engine/shared/logger';
import type { AuthService } from '../auth/auth-service';
import { createAuthService } from '../auth/create-auth-service';
import type { TokenVault } from '../auth/token-vault';
import { CassandraUserDirectory } from '../auth/user-directory';
import { nativeVerdict, runChecks } from '../doctor/doctor';
import { LogStore } from '../logs/log-store';
import { followStackLogs } from '../logs/stack-logs';
import { migrate as runMigrations } from '../migrate/migrator';
import type { MigrateResult } from '../migrate/migrator';
import { upWithNativeFallback } from '../stack/native-fallback';
import type { NativeVerdict } from '../stack/native-fallback';
import { StackError } from '../stack/stack-error';
import { StackManager } from '../stack/stack-manager';
import type { ProviderChoice } from '../stack/stack-manager';
import type { Disposable, ProgressEvent, ProviderId, StackEndpoints, StackProvider, StackStatus } from '../stack/types';
import { ChildProcessLauncher, engineEntry } from '../supervisor/child-process-launcher';
import type { ProcessLauncher } from '../supervisor/process-launcher';
import { Supervisor } from '../supervisor/supervisor';
import type { ProcessInfo, ServiceSpec, SupervisorOptions } from '../supervisor/supervisor';
import { createAuthRoutes } from './auth-routes';
import { startControlServer } from './control-server';
import type { ControlServerHandle, RouteHook, StackControl, StackPhase, StackProgress } from './control-server';
import { createInspectRoutes } from './inspect/inspect-routes';
import type { InspectRoutes } from './inspect/inspect-routes';

export const ENGINE_SERVICES = ['crawler', 'aggregator', 'api'] as const;

export interface ControlPlaneOptions {
  config: Config;
  /** docker | native | external; default: docker when an engine answers, else native */
  provider?: string;
  stackManager?: StackManager;
  launcher?: ProcessLauncher;
  /** default: crawler, aggregator, api from engine/ (or dist/engine/ when built) */
  services?: ServiceSpec[];
  supervisor?: Partial<Omit<SupervisorOptions, 'launcher' | 'services' | 'env'>>;
  migrate?: (config: Config, log: Logger, opts: { onProgress?: (m: string) => void }) => Promise<MigrateResult | void>;
  /** default: the checks of main/doctor with this plane's config */
  doctor?: () => Promise<unknown>;
  /** extra control routes (GitHub sign-in /control/auth/* is built in) */
  routes?: RouteHook[];
  /** GitHub sign-in: false turns it off; `vault` seals tokens (Electron: SafeStorageVault; default AES-256-GCM key file) */
  auth?: false | { vault?: TokenVault };
  /** default: renderer/dist or dist/renderer under the app root */
  rendererDir?: string;
  /** environment the engine children inherit besides the config (default process.env: PATH, HOME, TOPK_* …) */
  baseEnv?: NodeJS.ProcessEnv;
  /** how long start() waits for the engine processes to be ready (default 120 s) */
  readyTimeoutMs?: number;
  /** progress of stack operations (the CLI prints them) */
  onProgress?: (e: StackProgress) => void;
  /** whether the native provider can run here, for the fallback from a Docker engine that cannot pull (default: the doctor's checks) */
  nativeVerdict?: NativeVerdict;
}

export interface ControlPlaneStatus {
  provider: ProviderId | null;
  /** why this provider: requested (--provider or the Stack page), saved (config.json) or auto */
  providerHow: ProviderChoice['how'] | null;
  providerReason: string | null;
  /** the provider saved in config.json (`stackProvider`), if any */
  savedProvider: ProviderId | null;
  /** the code of the last stack error (IMAGE_UNAVAILABLE: the Docker engine cannot pull the images) */
  errorCode: string | null;
  phase: StackPhase;
  error: string | null;
  endpoints: StackEndpoints | null;
  services: StackStatus['services'];
  processes: ProcessInfo[];
}

/** Environment names children never inherit (test runners and debuggers set these). */
const DROP_ENV = /^(NODE_OPTIONS|NODE_INSPECT.*|VITEST.*|TSX_.*|ELECTRON_RUN_AS_NODE)$/;

/**
 * The whole app minus the window: stack (via the StackManager), migrations,
 * the supervised engine processes, the log store and the control server.
 * `topk serve` and the Electron shell both host exactly this.
 */
export class ControlPlane implements StackControl {
  readonly config: Config;
  readonly logs: LogStore;
  readonly log: Logger;
  readonly supervisor: Supervisor;
  /** GitHub sign-in (undefined when turned off) */
  readonly auth: AuthService | undefined;
  private authDb: { client: CassandraClient; key: string } | undefined;
  private authStarted = false;
  /** /control/inspect/*: Kafka/Cassandra/Redis browsers, following the stack's current endpoints */
  private readonly inspect: InspectRoutes;
  private readonly manager: StackManager;
  private provider: StackProvider | undefined;
  private choice: ProviderChoice | undefined;
  private server: ControlServerHandle | undefined;
  private stackLogs: Disposable | undefined;
  private phase: StackPhase = 'idle';
  private error: string | null = null;
  private errorCode: string | null = null;
  private endpoints: StackEndpoints | null = null;
  private events: StackProgress[] = [];
  private readonly progressCbs = new Set<(e: StackProgress) => void>();
  private op: Promise<void> | undefined;

  constructor(private readonly o: ControlPlaneOptions) {
    this.config = o.config;
    this.logs = new LogStore({ dir: LogStore.dirFor(o.config.dataDir), secrets: [o.config.apiToken, o.config.githubClientSecret] });
    this.log = createLogger('control', { level: o.config.logLevel, destination: this.logs.destination('control') });
    this.manager = o.stackManager ?? new StackManager(o.config);
    this.auth = o.auth === false ? undefined : createAuthService(o.config, this.log, { vault: o.auth?.vault });
    this.inspect = createInspectRoutes({ target: () => ({ ...this.config, ...(this.endpoints ?? {}) }), log: this.log.child({ component: 'inspect' }) });
    const root = appRoot();
    const services = o.services ?? ENGINE_SERVICES.map((name) => ({ name, entry: engineEntry(name, { root }) }));
    this.supervisor = new Supervisor({ ...o.supervisor, launcher: o.launcher ?? new ChildProcessLauncher({ cwd: root }), services, env: {}, log: this.log });
    this.supervisor.on('line', (name, stream, line) => this.logs.ingestLine(name, line, stream));
    this.supervisor.on('state', (p) => {
      if (p.state === 'failed') this.emitProgress({ service: p.name, phase: 'error', message: `${p.name}: ${p.lastError ?? 'failed'}` });
    });
  }

  get url(): string {
    if (!this.server) throw new Error('control plane not started');
    return this.server.url;
  }

  get token(): string {
    return this.config.apiToken;
  }

  /** Control server first (so the UI can watch), then stack up, migrations, engine processes. */
  async start(opts: { stack?: boolean } = {}): Promise<{ url: string }> {
    await this.startServer();
    if (opts.stack !== false) await this.up();
    return { url: this.url };
  }

  async startServer(): Promise<ControlServerHandle> {
    this.server ??= await startControlServer({
      port: this.config.port,
      token: this.config.apiToken,
      api: { host: this.config.apiHost, port: this.config.apiPort },
      allowedHosts: this.config.allowedHosts,
      rendererDir: this.o.rendererDir ?? (() => rendererDir()),
      logs: this.logs,
      processes: this.supervisor,
      stack: this,
      doctor: this.o.doctor ?? (() => runChecks({ ...process.env, ...configToEnv(this.config) })),
      routes: [...(this.auth ? [createAuthRoutes(this.auth)] : []), this.inspect.route, ...(this.o.routes ?? [])],
      // GDPR: the deleted user's GitHub token goes too (the engine cannot reach the vault)
      onUserDeleted: async (userId) => void (await this.auth?.signOutDeleted([userId])),
      log: this.log,
    });
    return this.server;
  }

  /** Stops engine processes and the server; the stack keeps running unless stackDown. */
  async stop(opts: { stackDown?: boolean; volumes?: boolean } = {}): Promise<void> {
    await this.op?.catch(() => undefined);
    await this.supervisor.stop();
    await this.auth?.close().catch((err: unknown) => this.log.warn({ err }, 'closing sign-in failed'));
    await this.closeAuthDb();
    await this.inspect.close();
    if (opts.stackDown && this.provider) await this.runOp('stopping', () => this.stackDownSteps(opts.volumes ?? false));
    await this.stackLogs?.dispose();
    this.stackLogs = undefined;
    await this.server?.close();
    this.server = undefined;
    this.log.flush();
    this.logs.close();
  }

  // ---- StackControl (used by the control server) ----

  /** Stack up, migrations, engine processes. `provider` switches providers (the Electron shell offers docker/native). */
  up(opts: { provider?: string } = {}): Promise<void> {
    return this.runOp('starting', async () => {
      if (opts.provider && this.provider && opts.provider !== this.provider.id) {
        // switching: the old stack goes down (data kept) so the new one finds its ports free
        await this.supervisor.stop();
        await this.stackLogs?.dispose();
        this.stackLogs = undefined;
        await this.provider.down({ onProgress: (e) => this.emitProgress(e) });
        this.provider = undefined;
        this.endpoints = null;
      }
      if (opts.provider) {
        // a switch on the Stack page is remembered for the next start
        this.manager.remember(opts.provider as ProviderId);
        this.o.provider = opts.provider;
      }
      let endpoints: StackEndpoints;
      if (this.provider) {
        this.emitProgress({ service: 'stack', phase: 'start', message: `starting the stack with the ${this.provider.id} provider` });
        endpoints = await this.provider.up({ onProgress: (e) => this.emitProgress(e) });
      } else {
        const choice = await this.manager.choose(this.o.provider);
        this.choice = choice;
        this.emitProgress({ service: 'stack', phase: 'start', message: `provider ${choice.id}: ${choice.reason}` });
        const nativeUsable = this.o.nativeVerdict ?? (() => nativeVerdict({ ...process.env, ...configToEnv(this.config) }));
        const result = await upWithNativeFallback(this.manager, choice, nativeUsable, { onProgress: (e) => this.emitProgress(e) });
        this.provider = result.provider;
        this.choice = result.choice;
        endpoints = result.endpoints;
      }
      const provider = this.provider;
      this.endpoints = endpoints;
      const engineConfig: Config = { ...this.config, ...endpoints };
      this.stackLogs ??= followStackLogs(provider, this.logs);
      this.emitProgress({ service: 'stack', phase: 'migrate', message: `applying migrations to keyspace ${engineConfig.keyspace}` });
      const migrate = this.o.migrate ?? ((c: Config, log: Logger, mo: { onProgress?: (m: string) => void }) => runMigrations(c, log, mo));
      await migrate(engineConfig, this.log, { onProgress: (m) => this.emitProgress({ service: 'stack', phase: 'migrate', message: m }) });
      await this.attachAuth(engineConfig);
      this.emitProgress({ service: 'engine', phase: 'start', message: `starting ${this.supervisor.names.join(', ')}` });
      this.supervisor.setEnv(this.childEnv(engineConfig));
      this.supervisor.start();
      await this.supervisor.waitReady(this.o.readyTimeoutMs ?? 120_000);
      this.emitProgress({ service: 'engine', phase: 'ready', message: 'engine processes are ready' });
    }, 'running');
  }

  down(opts: { volumes?: boolean } = {}): Promise<void> {
    return this.runOp('stopping', async () => {
      await this.supervisor.stop();
      await this.stackDownSteps(opts.volumes ?? false);
    }, 'stopped');
  }

  async status(): Promise<ControlPlaneStatus> {
    let services: StackStatus['services'] = [];
    if (this.provider) {
      try {
        services = (await this.provider.status()).services;
      } catch (err) {
        this.log.warn({ err }, 'stack status failed');
      }
    }
    return {
      provider: this.provider?.id ?? this.choice?.id ?? null,
      providerHow: this.choice?.how ?? null,
      providerReason: this.choice?.reason ?? null,
      savedProvider: this.manager.savedProvider() ?? null,
      errorCode: this.errorCode,
      phase: this.phase,
      error: this.error,
      endpoints: this.endpoints,
      services,
      processes: await this.supervisor.list(),
    };
  }

  progress(): StackProgress[] {
    return [...this.events];
  }

  onProgress(cb: (e: StackProgress) => void): { dispose(): void } {
    this.progressCbs.add(cb);
    return { dispose: () => this.progressCbs.delete(cb) };
  }

  // ---- internals ----

  private async selectProvider(): Promise<StackProvider> {
    if (this.provider) return this.provider;
    const choice = await this.manager.choose(this.o.provider);
    this.emitProgress({ service: 'stack', phase: 'start', message: `provider ${choice.id}: ${choice.reason}` });
    this.provider = await this.manager.provider(choice.id);
    this.choice = choice;
    return this.provider;
  }

  /** Signed-in accounts become app users (Cassandra `users`), follows become friends; periodic friends refresh. */
  private async attachAuth(c: Config): Promise<void> {
    if (!this.auth) return;
    const key = `${c.cassandraContactPoints.join(',')}/${c.cassandraLocalDc}/${c.keyspace}`;
    if (this.authDb?.key === key) return;
    await this.closeAuthDb();
    const client = createCassandra(c, this.log);
    try {
      await client.connect();
    } catch (err) {
      this.log.warn({ err }, 'sign-in: Cassandra did not answer; accounts are recorded on the next up');
      await client.shutdown().catch(() => undefined);
      return;
    }
    this.authDb = { client, key };
    try {
      await this.auth.attachDirectory(new CassandraUserDirectory(client));
      if (!this.authStarted) await this.auth.start();
      this.authStarted = true;
    } catch (err) {
      // sign-in keeps working; the next up records the accounts again
      this.authDb.key = `${key}#retry`;
      this.log.warn({ err }, 'could not record signed-in accounts in Cassandra');
    }
  }

  private async closeAuthDb(): Promise<void> {
    const db = this.authDb;
    this.authDb = undefined;
    await db?.client.shutdown().catch((err: unknown) => this.log.warn({ err }, 'closing the sign-in Cassandra client failed'));
  }

  private async stackDownSteps(volumes: boolean): Promise<void> {
    await this.stackLogs?.dispose();
    this.stackLogs = undefined;
    const provider = await this.selectProvider();
    await provider.down({ volumes, onProgress: (e) => this.emitProgress(e) });
    this.endpoints = null;
  }

  /** One stack operation at a time; a second request waits for the first. */
  private runOp(phase: StackPhase, body: () => Promise<void>, done: StackPhase = phase): Promise<void> {
    const prev = this.op ?? Promise.resolve();
    const run = prev
      .catch(() => undefined)
      .then(async () => {
        this.phase = phase;
        this.error = null;
        this.errorCode = null;
        this.events = [];
        try {
          await body();
          this.phase = done;
        } catch (err) {
          this.phase = 'error';
          this.error = (err as Error).message;
          this.errorCode = err instanceof StackError ? err.code : null;
          this.emitProgress({ service: 'stack', phase: 'error', message: this.error });
          this.log.error({ err }, `stack ${phase === 'starting' ? 'up' : 'down'} failed`);
          throw err;
        }
      });
    this.op = run;
    return run;
  }

  private emitProgress(e: ProgressEvent | (Omit<StackProgress, 'time'> & { time?: string })): void {
    const p: StackProgress = { time: new Date().toISOString(), ...e };
    if (this.events.length < 2000) this.events.push(p);
    this.log.info({ service_name: p.service, phase: p.phase, percent: p.percent }, p.message);
    for (const cb of this.progressCbs) cb(p);
    this.o.onProgress?.(p);
  }

  private childEnv(c: Config): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.o.baseEnv ?? process.env)) if (v !== undefined && !DROP_ENV.test(k)) env[k] = v;
    return { ...env, ...configToEnv(c) };
  }
}
