import { join } from 'node:path';
import { Redactor } from './redact';
import { RotatingFile } from './rotating-file';
import type { RotatingFileOptions } from './rotating-file';
import type { LogLine } from '../control/control-wire';

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LEVELS)[number];
const PINO_NUMERIC: Record<number, LogLevel> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** one definition with the control server's wire shapes */
export type LogEntry = LogLine;

export interface LogQuery {
  /** one or more service names */
  service?: string | string[];
  /** minimum level */
  level?: LogLevel;
  /** ms since epoch or ISO time, inclusive */
  since?: number | string;
  until?: number | string;
  /** case-insensitive substring of msg, service or fields */
  text?: string;
  /** only entries with seq > afterSeq */
  afterSeq?: number;
  /** newest N matches (default 1000, max the ring size) */
  limit?: number;
}

export interface LogStoreOptions {
  /** where rotating files go; none → memory only */
  dir?: string;
  ringSize?: number;
  file?: Omit<RotatingFileOptions, 'dir'>;
  /** exact secret values to scrub (e.g. the API token) */
  secrets?: (string | undefined)[];
}

export interface LogSubscription {
  dispose(): void;
}

/**
 * One store for every log line of the app: engine processes (pino JSON),
 * stack services (plain text), the control plane. Every line is redacted,
 * kept in a bounded ring for queries and live followers, and appended to
 * rotating NDJSON files under `dir`.
 */
export class LogStore {
  readonly redactor: Redactor;
  private readonly ring: (LogEntry | undefined)[];
  private next = 0;
  private seq = 0;
  private readonly file: RotatingFile | undefined;
  private readonly subs = new Set<{ q: LogQuery; cb: (e: LogEntry) => void }>();

  constructor(opts: LogStoreOptions = {}) {
    this.ring = new Array<LogEntry | undefined>(Math.max(1, opts.ringSize ?? 50_000));
    this.redactor = new Redactor(opts.secrets ?? []);
    this.file = opts.dir ? new RotatingFile({ dir: opts.dir, ...opts.file }) : undefined;
  }

  /** the log directory for a data dir: `$TOPK_DATA_DIR/logs` */
  static dirFor(dataDir: string): string {
    return join(dataDir, 'logs');
  }

  get filePaths(): string[] {
    return this.file?.files() ?? [];
  }

  /** Ingest one output line of a process: pino JSON when it parses, plain text otherwise. */
  ingestLine(service: string, line: string, stream: 'stdout' | 'stderr' = 'stdout', time?: string): LogEntry {
    const clean = this.redactor.text(line);
    let parsed: unknown;
    if (clean.startsWith('{')) {
      try {
        parsed = JSON.parse(clean);
      } catch {
        parsed = undefined;
      }
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const o = this.redactor.value(parsed) as Record<string, unknown>;
      const { level, time: t, msg, service: svc, ...rest } = o;
      delete rest.v;
      delete rest.hostname;
      const err = rest.err as { message?: unknown } | undefined;
      return this.add({
        time: toIso(t) ?? time ?? new Date().toISOString(),
        service: typeof svc === 'string' && svc ? svc : service,
        level: toLevel(level) ?? (stream === 'stderr' ? 'error' : 'info'),
        msg: typeof msg === 'string' ? msg : typeof err?.message === 'string' ? err.message : '',
        stream,
        ...(Object.keys(rest).length ? { fields: rest } : {}),
      });
    }
    return this.add({ time: time ?? new Date().toISOString(), service, level: guessLevel(clean, stream), msg: clean, stream });
  }

  /** Ingest an entry produced in-process (already structured). */
  ingest(e: { service: string; level: LogLevel; msg: string; time?: string; fields?: Record<string, unknown> }): LogEntry {
    const fields = e.fields ? (this.redactor.value(e.fields) as Record<string, unknown>) : undefined;
    return this.add({
      time: e.time ?? new Date().toISOString(),
      service: e.service,
      level: e.level,
      msg: this.redactor.text(e.msg),
      ...(fields && Object.keys(fields).length ? { fields } : {}),
    });
  }

  /** A pino destination: `createLogger('control', { destination: store.destination('control') })`. */
  destination(service: string): { write(chunk: string): void } {
    return {
      write: (chunk: string) => {
        for (const line of chunk.split('\n')) if (line) this.ingestLine(service, line);
      },
    };
  }

  query(q: LogQuery = {}): LogEntry[] {
    const limit = Math.max(1, Math.min(q.limit ?? 1000, this.ring.length));
    const match = compile(q);
    const out: LogEntry[] = [];
    // newest first until we have enough, then reverse
    for (let i = 1; i <= this.ring.length && out.length < limit; i++) {
      const e = this.ring[(this.next - i + this.ring.length * 2) % this.ring.length];
      if (!e) break;
      if (q.afterSeq !== undefined && e.seq <= q.afterSeq) break;
      if (match(e)) out.push(e);
    }
    return out.reverse();
  }

  /** Call cb for every new entry matching q until disposed. */
  subscribe(q: LogQuery, cb: (e: LogEntry) => void): LogSubscription {
    const sub = { q: { ...q, afterSeq: undefined }, cb };
    const match = compile(sub.q);
    const wrapped = { q: sub.q, cb: (e: LogEntry) => match(e) && cb(e) };
    this.subs.add(wrapped);
    return { dispose: () => this.subs.delete(wrapped) };
  }

  /** Matching entries as NDJSON or human-readable text, oldest first, in chunks. */
  *export(q: LogQuery = {}, format: 'ndjson' | 'text' = 'ndjson'): Generator<string> {
    const entries = this.query({ ...q, limit: q.limit ?? this.ring.length });
    let chunk = '';
    for (const e of entries) {
      chunk += format === 'ndjson' ? JSON.stringify(e) + '\n' : formatText(e) + '\n';
      if (chunk.length > 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }

  flush(): void {
    this.file?.flush();
  }

  close(): void {
    this.subs.clear();
    this.file?.close();
  }

  private add(e: Omit<LogEntry, 'seq'>): LogEntry {
    const entry: LogEntry = { seq: ++this.seq, ...e };
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.ring.length;
    this.file?.write(JSON.stringify(entry));
    for (const s of this.subs) {
      try {
        s.cb(entry);
      } catch {
        /* a broken follower must not break logging */
      }
    }
    return entry;
  }
}

export function formatText(e: LogEntry): string {
  const extra = e.fields ? ' ' + JSON.stringify(e.fields) : '';
  return `${e.time} ${e.level.toUpperCase().padEnd(5)} [${e.service}] ${e.msg}${extra}`;
}

export function isLevel(s: unknown): s is LogLevel {
  return typeof s === 'string' && (LEVELS as readonly string[]).includes(s);
}

function toLevel(v: unknown): LogLevel | undefined {
  if (typeof v === 'number') return PINO_NUMERIC[v] ?? (v >= 50 ? 'error' : v >= 40 ? 'warn' : 'info');
  if (typeof v === 'string') {
    const l = v.toLowerCase();
    if (isLevel(l)) return l;
    if (l === 'warning') return 'warn';
  }
  return undefined;
}

function toIso(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  return undefined;
}

/** Level of a plain-text line (Kafka/Cassandra/Redis logs). */
function guessLevel(line: string, stream: 'stdout' | 'stderr'): LogLevel {
  const head = line.slice(0, 200);
  if (/\b(FATAL|SEVERE)\b/.test(head)) return 'fatal';
  if (/\bERROR\b|[A-Za-z](?:Error|Exception)\b|^\s+at .+:\d+:\d+\)?$/.test(head)) return 'error';
  if (/\bWARN(ING)?\b|^\d+:[A-Z] .*#/.test(head)) return 'warn';
  if (/\bDEBUG\b/.test(head)) return 'debug';
  if (/\bTRACE\b/.test(head)) return 'trace';
  return stream === 'stderr' ? 'warn' : 'info';
}

function toMs(v: number | string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'number') return v;
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function compile(q: LogQuery): (e: LogEntry) => boolean {
  const services = q.service === undefined ? undefined : new Set((Array.isArray(q.service) ? q.service : [q.service]).filter(Boolean));
  const minLevel = q.level ? LEVELS.indexOf(q.level) : 0;
  const since = toMs(q.since);
  const until = toMs(q.until);
  const text = q.text?.toLowerCase();
  return (e) => {
    if (services && services.size && !services.has(e.service)) return false;
    if (minLevel && LEVELS.indexOf(e.level) < minLevel) return false;
    if (since !== undefined || until !== undefined) {
      const t = Date.parse(e.time);
      if (since !== undefined && t < since) return false;
      if (until !== undefined && t > until) return false;
    }
    if (text) {
      const hay = (e.msg + ' ' + e.service + (e.fields ? ' ' + JSON.stringify(e.fields) : '')).toLowerCase();
      if (!hay.includes(text)) return false;
    }
    return true;
  };
}
