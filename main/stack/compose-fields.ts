/**
 * Compose field values → Engine API values: durations, byte sizes, ports, environment,
 * labels, volumes, depends_on, healthcheck, restart, command strings. Pure functions; each
 * error is a ComposeError naming the field.
 */
import { isAbsolute, resolve } from 'node:path';
import type { ContainerCreateOptions } from 'dockerode';
import { ComposeError } from './compose-file';
import type { ComposeObject, ComposeProject } from './compose-file';

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface PortBinding {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  /** undefined = engine picks a free port */
  hostPort?: number;
}

export interface VolumeSpec {
  /** project volume key, undefined for bind mounts and anonymous volumes */
  volume?: string;
  type: 'volume' | 'bind';
  /** engine volume name or host path */
  source?: string;
  target: string;
  readOnly: boolean;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go/compose durations ("10s", "1m30s", "500ms", "1.5h", or seconds as a number) → nanoseconds. */
export function parseDuration(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v * 1e9);
  const s = String(v ?? '').trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? 0);
    pos = re.lastIndex;
  }
  if (pos === 0 || pos !== s.length) throw new ComposeError(`${field}: invalid duration ${JSON.stringify(v)} (use e.g. 10s, 1m30s, 500ms)`, field);
  return Math.round(total);
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** Docker byte sizes ("1g", "512m", "1024k", "2GB", 1073741824) → bytes. */
export function parseBytes(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(v ?? ''));
  const unit = BYTE_UNITS[(m?.[2] ?? '').toLowerCase()];
  if (!m || unit === undefined) throw new ComposeError(`${field}: invalid size ${JSON.stringify(v)} (use e.g. 512m, 1g)`, field);
  return Math.round(Number(m[1]) * unit);
}

function parsePortNumber(s: string, field: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < 1 || n > 65535) throw new ComposeError(`${field}: invalid port ${JSON.stringify(s)}`, field);
  return n;
}

function portRange(s: string, field: string): number[] {
  const [a = '', b] = s.split('-');
  const lo = parsePortNumber(a, field);
  const hi = b === undefined ? lo : parsePortNumber(b, field);
  if (hi < lo) throw new ComposeError(`${field}: invalid port range ${s}`, field);
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function checkHostIp(ip: string, field: string): string {
  if (!LOOPBACK.test(ip)) {
    throw new ComposeError(`${field}: ports must be published on 127.0.0.1 only, got host address ${ip}`, field);
  }
  return ip === 'localhost' ? '127.0.0.1' : ip;
}

/**
 * Compose port entries, short ("127.0.0.1:9092:9092", "9092:9092/udp",
 * "127.0.0.1::9092", "9092", ranges) or long ({target, published, host_ip,
 * protocol}). A missing host address becomes 127.0.0.1; any other non-loopback
 * address is refused.
 */
export function parsePorts(entries: unknown, field: string): PortBinding[] {
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) throw new ComposeError(`${field} must be a list`, field);
  const out: PortBinding[] = [];
  entries.forEach((entry, i) => {
    const f = `${field}[${i}]`;
    if (typeof entry === 'object' && entry !== null) {
      const e = entry as ComposeObject;
      const protocol = String(e.protocol ?? 'tcp');
      if (protocol !== 'tcp' && protocol !== 'udp') throw new ComposeError(`${f}: protocol must be tcp or udp`, f);
      const published = e.published === undefined || e.published === null || e.published === '' ? undefined : String(e.published);
      out.push({
        containerPort: parsePortNumber(String(e.target), f),
        protocol,
        hostIp: checkHostIp(String(e.host_ip ?? '127.0.0.1'), f),
        hostPort: published === undefined ? undefined : parsePortNumber(published, f),
      });
      return;
    }
    let s = String(entry);
    let protocol: 'tcp' | 'udp' = 'tcp';
    const slash = s.lastIndexOf('/');
    if (slash >= 0) {
      const p = s.slice(slash + 1);
      if (p !== 'tcp' && p !== 'udp') throw new ComposeError(`${f}: protocol must be tcp or udp`, f);
      protocol = p;
      s = s.slice(0, slash);
    }
    let hostIp = '127.0.0.1';
    let hostPart: string | undefined;
    let containerPart = '';
    const bracket = /^\[([^\]]+)\]:(.*)$/.exec(s);
    const invalid = () => new ComposeError(`${f}: invalid port ${JSON.stringify(entry)}`, f);
    if (bracket) {
      hostIp = bracket[1] ?? '';
      const parts = (bracket[2] ?? '').split(':');
      if (parts.length !== 2) throw invalid();
      [hostPart = '', containerPart = ''] = parts;
    } else {
      const parts = s.split(':');
      if (parts.length === 1) containerPart = parts[0] ?? '';
      else if (parts.length === 2) [hostPart = '', containerPart = ''] = parts;
      else if (parts.length === 3) [hostIp = '', hostPart = '', containerPart = ''] = parts;
      else throw invalid();
    }
    hostIp = checkHostIp(hostIp, f);
    const containerPorts = portRange(containerPart, f);
    const hostPorts = hostPart ? portRange(hostPart, f) : undefined;
    if (hostPorts && hostPorts.length !== containerPorts.length) throw new ComposeError(`${f}: host and container port ranges differ in size`, f);
    containerPorts.forEach((cp, j) => out.push({ containerPort: cp, protocol, hostIp, hostPort: hostPorts?.[j] }));
  });
  return out;
}

/** Compose `environment` (map or KEY=VALUE list) → Engine `Env` list. Bare keys take the value from `env`. */
export function parseEnvironment(v: unknown, field: string, env: Record<string, string | undefined> = process.env): string[] {
  if (v === undefined || v === null) return [];
  const out: string[] = [];
  const add = (key: string, value: unknown) => {
    if (!/^[^=\s]+$/.test(key)) throw new ComposeError(`${field}: invalid variable name ${JSON.stringify(key)}`, field);
    if (value === null || value === undefined) {
      const fromHost = env[key];
      if (fromHost !== undefined) out.push(`${key}=${fromHost}`);
      return;
    }
    if (typeof value === 'object') throw new ComposeError(`${field}.${key} must be a string, number or boolean`, field);
    out.push(`${key}=${String(value)}`);
  };
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq < 0) add(s, null);
      else add(s.slice(0, eq), s.slice(eq + 1));
    }
  } else if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) add(k, x);
  } else {
    throw new ComposeError(`${field} must be a map or a list`, field);
  }
  return out;
}

export function parseLabels(v: unknown, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of parseEnvironment(v, field, {})) {
    const eq = kv.indexOf('=');
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

/** Engine volume name for a project volume key (compose's `<project>_<key>` unless `name:` is set). */
export function volumeName(project: ComposeProject, key: string): string {
  const def = project.volumes[key];
  if (def && typeof def.name === 'string') return def.name;
  return `${project.name}_${key}`;
}

/** Compose `volumes` of a service (short "name:/path:ro", "./dir:/path", "/path", or long form) → mounts. */
export function parseVolumes(v: unknown, field: string, project: ComposeProject): VolumeSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ComposeError(`${field} must be a list`, field);
  return v.map((entry, i) => {
    const f = `${field}[${i}]`;
    let source: string | undefined;
    let target: string;
    let readOnly = false;
    let type: string | undefined;
    if (typeof entry === 'object' && entry !== null) {
      const e = entry as ComposeObject;
      type = String(e.type ?? 'volume');
      source = e.source === undefined || e.source === null ? undefined : String(e.source);
      target = String(e.target ?? '');
      readOnly = e.read_only === true;
    } else {
      const parts = String(entry).split(':');
      if (parts.length === 1) target = parts[0] ?? '';
      else {
        source = parts[0];
        target = parts[1] ?? '';
        const mode = parts[2];
        if (mode !== undefined) {
          const opts = mode.split(',');
          if (opts.some((o) => !['ro', 'rw', 'z', 'Z', 'nocopy'].includes(o))) throw new ComposeError(`${f}: unknown volume mode ${JSON.stringify(mode)}`, f);
          readOnly = opts.includes('ro');
        }
        if (parts.length > 3) throw new ComposeError(`${f}: invalid volume ${JSON.stringify(entry)}`, f);
      }
    }
    if (!target || !target.startsWith('/')) throw new ComposeError(`${f}: the container path must be absolute`, f);
    const isPath = source !== undefined && (source.startsWith('.') || source.startsWith('/') || source.startsWith('~') || isAbsolute(source));
    if (type === 'bind' || (type === undefined && isPath)) {
      if (!source) throw new ComposeError(`${f}: a bind mount needs a source`, f);
      const home = process.env.HOME ?? '';
      const abs = source.startsWith('~') ? home + source.slice(1) : resolve(project.workingDir, source);
      return { type: 'bind', source: abs, target, readOnly };
    }
    if (type !== undefined && type !== 'volume') throw new ComposeError(`${f}: volume type ${type} is not supported (volume or bind)`, f);
    if (source === undefined) return { type: 'volume', target, readOnly };
    if (!(source in project.volumes)) {
      throw new ComposeError(`${f}: named volume "${source}" is not declared in the top-level volumes`, f);
    }
    return { volume: source, type: 'volume', source: volumeName(project, source), target, readOnly };
  });
}

/** Compose `depends_on` (list or map with conditions) → list. */
export function parseDependsOn(v: unknown, field: string, known: string[]): { service: string; condition: DependsCondition }[] {
  if (v === undefined || v === null) return [];
  const entries: [string, DependsCondition][] = [];
  if (Array.isArray(v)) {
    for (const s of v) entries.push([String(s), 'service_started']);
  } else if (typeof v === 'object') {
    for (const [name, spec] of Object.entries(v)) {
      const cond = String((spec as ComposeObject | null)?.condition ?? 'service_started');
      if (cond !== 'service_started' && cond !== 'service_healthy' && cond !== 'service_completed_successfully') {
        throw new ComposeError(`${field}.${name}.condition: unknown condition ${JSON.stringify(cond)}`, field);
      }
      entries.push([name, cond]);
    }
  } else {
    throw new ComposeError(`${field} must be a list or a map`, field);
  }
  for (const [name] of entries) {
    if (!known.includes(name)) throw new ComposeError(`${field}: depends on unknown service "${name}"`, field);
  }
  return entries.map(([service, condition]) => ({ service, condition }));
}

/** Compose `healthcheck` → Engine `Healthcheck` (durations in ns). */
export function parseHealthcheck(v: unknown, field: string): ContainerCreateOptions['Healthcheck'] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ComposeError(`${field} must be a mapping`, field);
  const h = v as ComposeObject;
  if (h.disable === true) return { Test: ['NONE'] };
  let test: string[];
  if (typeof h.test === 'string') test = ['CMD-SHELL', h.test];
  else if (Array.isArray(h.test) && h.test.length > 0) test = h.test.map(String);
  else throw new ComposeError(`${field}.test is required (a string or ["CMD", ...] / ["CMD-SHELL", "..."])`, `${field}.test`);
  if (!['CMD', 'CMD-SHELL', 'NONE'].includes(test[0] ?? '')) {
    throw new ComposeError(`${field}.test must start with CMD, CMD-SHELL or NONE`, `${field}.test`);
  }
  const out: NonNullable<ContainerCreateOptions['Healthcheck']> = { Test: test };
  if (h.interval !== undefined) out.Interval = parseDuration(h.interval, `${field}.interval`);
  if (h.timeout !== undefined) out.Timeout = parseDuration(h.timeout, `${field}.timeout`);
  if (h.start_period !== undefined) out.StartPeriod = parseDuration(h.start_period, `${field}.start_period`);
  if (h.retries !== undefined) {
    const r = Number(h.retries);
    if (!Number.isInteger(r) || r < 0) throw new ComposeError(`${field}.retries must be a non-negative integer`, `${field}.retries`);
    out.Retries = r;
  }
  return out;
}

/** Compose `restart` → Engine `RestartPolicy`. */
export function parseRestart(v: unknown, field: string): { Name: string; MaximumRetryCount?: number } {
  if (v === undefined || v === null || v === 'no' || v === false) return { Name: 'no' };
  const s = String(v);
  if (s === 'always' || s === 'unless-stopped') return { Name: s };
  const m = /^on-failure(?::(\d+))?$/.exec(s);
  if (m) return { Name: 'on-failure', MaximumRetryCount: m[1] ? Number(m[1]) : 0 };
  throw new ComposeError(`${field}: unknown restart policy ${JSON.stringify(s)} (no, always, on-failure[:n], unless-stopped)`, field);
}

export function stringList(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return shellSplit(v, field);
  if (Array.isArray(v)) return v.map(String);
  throw new ComposeError(`${field} must be a string or a list`, field);
}

/** Splits a command string like a POSIX shell would (quotes and backslashes, no expansion). */
export function shellSplit(s: string, field: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s.charAt(++i);
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s.charAt(++i);
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new ComposeError(`${field}: unterminated quote`, field);
  if (has) out.push(cur);
  return out;
}

/** Stable JSON (sorted keys) so equal definitions hash equally. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as ComposeObject)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as ComposeObject)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
