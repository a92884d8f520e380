import { EventEmitter } from 'node:events';
import type { Logger } from '../../engine/shared/logger';
import type { ExitInfo, LaunchedProcess, OutputStream, ProcessLauncher } from './process-launcher';
import { readRssBytes } from './process-memory';

import type { ProcessInfo, ProcessState } from '../control/control-wire';

/** what GET /control/processes sends (one definition, in the control server's wire shapes) */
export type { ProcessInfo, ProcessState };

export interface ServiceSpec {
  name: string;
  /** entry point file (.ts runs through tsx, .js as is) */
  entry: string;
  /** extra env for this service only */
  env?: Record<string, string>;
}


export interface SupervisorOptions {
  launcher: ProcessLauncher;
  services: ServiceSpec[];
  /** base environment of every child (e.g. configToEnv(config) plus PATH) */
  env: Record<string, string>;
  log?: Logger;
  /** first restart delay; doubles per consecutive crash (default 500 ms) */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** give up after this many crashes inside crashWindowMs (default 5 in 60 s) */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** a process that stays up this long resets its backoff (default 30 s) */
  stableAfterMs?: number;
  /** SIGTERM, then SIGKILL after this long (default 10 s) */
  stopTimeoutMs?: number;
}

export interface SupervisorEvents {
  line: [name: string, stream: OutputStream, line: string];
  state: [info: ProcessInfo];
}

interface Slot {
  spec: ServiceSpec;
  state: ProcessState;
  handle: LaunchedProcess | undefined;
  startedAt: number | undefined;
  restarts: number;
  consecutiveCrashes: number;
  crashTimes: number[];
  lastExit: ExitInfo | undefined;
  lastError: string | undefined;
  timer: NodeJS.Timeout | undefined;
  nextRestartAt: number | undefined;
  /** resolves when the current process has exited */
  exited: Promise<void> | undefined;
  readyWaiters: { resolve: () => void; reject: (e: Error) => void }[];
}

export class SupervisorError extends Error {
  constructor(
    message: string,
    readonly code: 'unknown_process' | 'not_ready',
  ) {
    super(message);
  }
}

/**
 * Runs engine processes: starts them, restarts crashed ones with exponential
 * backoff, gives up (state `failed`) after repeated crashes, stops them with
 * SIGTERM then SIGKILL, and reports per-process state.
 *
 * A process is `running` once it logs `{"msg":"ready"}` or sends
 * `{type:'ready'}` over IPC; `starting` until then.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly slots = new Map<string, Slot>();
  private readonly o: Required<Omit<SupervisorOptions, 'log'>> & { log: Logger | undefined };
  private closing = false;

  constructor(opts: SupervisorOptions) {
    super();
    this.o = {
      initialBackoffMs: 500,
      maxBackoffMs: 30_000,
      maxCrashes: 5,
      crashWindowMs: 60_000,
      stableAfterMs: 30_000,
      stopTimeoutMs: 10_000,
      ...opts,
      log: opts.log,
    };
    for (const spec of opts.services) {
      this.slots.set(spec.name, {
        spec,
        state: 'stopped',
        handle: undefined,
        startedAt: undefined,
        restarts: 0,
        consecutiveCrashes: 0,
        crashTimes: [],
        lastExit: undefined,
        lastError: undefined,
        timer: undefined,
        nextRestartAt: undefined,
        exited: undefined,
        readyWaiters: [],
      });
    }
  }

  /** Replace the base environment used for the next (re)starts (e.g. endpoints after stack up). */
  setEnv(env: Record<string, string>): void {
    this.o.env = env;
  }

  get names(): string[] {
    return [...this.slots.keys()];
  }

  /** Start every stopped/failed process. */
  start(): void {
    this.closing = false;
    for (const slot of this.slots.values()) {
      if (slot.state === 'stopped' || slot.state === 'failed') this.launch(slot);
    }
  }

  /** Resolves when every process is `running`; rejects if one fails or the timeout passes. */
  async waitReady(timeoutMs = 60_000, names: string[] = this.names): Promise<void> {
    await Promise.all(names.map((n) => this.waitOneReady(this.slot(n), timeoutMs)));
  }

  /** Stop (if running) and start one process again; clears a `failed` state. */
  async restart(name: string): Promise<ProcessInfo> {
    const slot = this.slot(name);
    this.clearTimer(slot);
    await this.stopSlot(slot);
    slot.crashTimes = [];
    slot.consecutiveCrashes = 0;
    slot.lastError = undefined;
    slot.restarts += 1;
    if (!this.closing) this.launch(slot);
    return this.infoSync(slot);
  }

  /** Stop every process: SIGTERM, then SIGKILL after stopTimeoutMs. */
  async stop(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.slots.values()].map((s) => this.stopSlot(s)));
  }

  async list(): Promise<ProcessInfo[]> {
    return Promise.all([...this.slots.values()].map((s) => this.info(s)));
  }

  async get(name: string): Promise<ProcessInfo> {
    return this.info(this.slot(name));
  }

  /** pid of the current process, if any */
  pid(name: string): number | undefined {
    return this.slot(name).handle?.pid;
  }

  private slot(name: string): Slot {
    const s = this.slots.get(name);
    if (!s) throw new SupervisorError(`no process named "${name}"`, 'unknown_process');
    return s;
  }

  private setState(slot: Slot, state: ProcessState): void {
    slot.state = state;
    this.emit('state', this.infoSync(slot));
    if (state === 'running') {
      for (const w of slot.readyWaiters.splice(0)) w.resolve();
    } else if (state === 'failed' || state === 'stopped') {
      const err = new SupervisorError(`${slot.spec.name} is ${state}${slot.lastError ? `: ${slot.lastError}` : ''}`, 'not_ready');
      for (const w of slot.readyWaiters.splice(0)) w.reject(err);
    }
  }

  private waitOneReady(slot: Slot, timeoutMs: number): Promise<void> {
    if (slot.state === 'running') return Promise.resolve();
    if (slot.state === 'failed') return Promise.reject(new SupervisorError(`${slot.spec.name} failed: ${slot.lastError ?? ''}`, 'not_ready'));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        slot.readyWaiters = slot.readyWaiters.filter((w) => w !== waiter);
        reject(new SupervisorError(`${slot.spec.name} not ready after ${timeoutMs} ms (state ${slot.state})`, 'not_ready'));
      }, timeoutMs);
      const waiter = {
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
        reject: (e: Error) => {
          clearTimeout(t);
          reject(e);
        },
      };
      slot.readyWaiters.push(waiter);
    });
  }

  private launch(slot: Slot): void {
    this.clearTimer(slot);
    const { spec } = slot;
    const env = { ...this.o.env, ...spec.env };
    const handle = this.o.launcher.spawn(spec.name, spec.entry, env);
    slot.handle = handle;
    slot.startedAt = Date.now();
    let resolveExit!: () => void;
    slot.exited = new Promise((r) => (resolveExit = r));
    this.o.log?.info({ process: spec.name, pid: handle.pid, entry: spec.entry }, 'process started');
    this.setState(slot, 'starting');

    const markReady = () => {
      if (slot.handle === handle && slot.state === 'starting') this.setState(slot, 'running');
    };
    handle.onLine((stream, line) => {
      this.emit('line', spec.name, stream, line);
      if (stream === 'stdout' && slot.state === 'starting' && line.includes('"ready"') && isReadyLine(line)) markReady();
    });
    handle.onMessage((m) => {
      if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'ready') markReady();
    });
    handle.onExit((info) => {
      resolveExit();
      if (slot.handle !== handle) return;
      this.onExit(slot, info);
    });
  }

  private onExit(slot: Slot, info: ExitInfo): void {
    const { spec } = slot;
    const upMs = Date.now() - (slot.startedAt ?? Date.now());
    slot.lastExit = info;
    slot.handle = undefined;
    slot.startedAt = undefined;
    if (slot.state === 'stopping' || this.closing) {
      this.setState(slot, 'stopped');
      return;
    }
    // anything else is a crash (even exit 0: engine processes are meant to run until stopped)
    slot.lastError = info.error ?? (info.signal ? `killed by ${info.signal}` : `exited with code ${info.code}`);
    const now = Date.now();
    slot.crashTimes = [...slot.crashTimes.filter((t) => now - t < this.o.crashWindowMs), now];
    slot.consecutiveCrashes = upMs >= this.o.stableAfterMs ? 1 : slot.consecutiveCrashes + 1;
    if (slot.crashTimes.length >= this.o.maxCrashes) {
      slot.lastError = `crashed ${slot.crashTimes.length} times within ${Math.round(this.o.crashWindowMs / 1000)} s; giving up (last: ${slot.lastError})`;
      this.o.log?.error({ process: spec.name, code: info.code, signal: info.signal }, `${spec.name} ${slot.lastError}`);
      this.setState(slot, 'failed');
      return;
    }
    const delay = Math.min(this.o.maxBackoffMs, this.o.initialBackoffMs * 2 ** (slot.consecutiveCrashes - 1));
    this.o.log?.warn({ process: spec.name, code: info.code, signal: info.signal, restartInMs: delay }, `${spec.name} crashed (${slot.lastError}); restarting`);
    slot.nextRestartAt = now + delay;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      slot.nextRestartAt = undefined;
      if (this.closing || slot.state !== 'backoff') return;
      slot.restarts += 1;
      this.launch(slot);
    }, delay);
    this.setState(slot, 'backoff');
  }

  private clearTimer(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.nextRestartAt = undefined;
  }

  private async stopSlot(slot: Slot): Promise<void> {
    this.clearTimer(slot);
    const handle = slot.handle;
    if (!handle) {
      if (slot.state === 'backoff' || slot.state === 'starting') this.setState(slot, 'stopped');
      return;
    }
    this.setState(slot, 'stopping');
    const exited = slot.exited ?? Promise.resolve();
    handle.kill('SIGTERM');
    let killTimer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((r) => (killTimer = setTimeout(() => r(true), this.o.stopTimeoutMs))),
    ]);
    clearTimeout(killTimer);
    if (timedOut) {
      this.o.log?.warn({ process: slot.spec.name, pid: handle.pid }, `${slot.spec.name} did not stop within ${this.o.stopTimeoutMs} ms; sending SIGKILL`);
      handle.kill('SIGKILL');
      await exited;
    }
  }

  private infoSync(slot: Slot): ProcessInfo {
    const pid = slot.handle?.pid ?? null;
    const now = Date.now();
    return {
      name: slot.spec.name,
      state: slot.state,
      pid,
      startedAt: slot.startedAt ? new Date(slot.startedAt).toISOString() : null,
      uptimeSeconds: slot.startedAt ? Math.floor((now - slot.startedAt) / 1000) : null,
      restarts: slot.restarts,
      recentCrashes: slot.crashTimes.filter((t) => now - t < this.o.crashWindowMs).length,
      memoryRssBytes: null,
      lastExitCode: slot.lastExit?.code ?? null,
      lastSignal: slot.lastExit?.signal ?? null,
      lastError: slot.lastError ?? null,
      nextRestartAt: slot.nextRestartAt ? new Date(slot.nextRestartAt).toISOString() : null,
    };
  }

  private async info(slot: Slot): Promise<ProcessInfo> {
    const info = this.infoSync(slot);
    if (info.pid !== null) info.memoryRssBytes = (await readRssBytes(info.pid)) ?? null;
    return info;
  }
}

function isReadyLine(line: string): boolean {
  try {
    const o = JSON.parse(line) as { msg?: unknown };
    return o.msg === 'ready';
  } catch {
    return false;
  }
}
