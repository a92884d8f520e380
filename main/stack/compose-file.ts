/**
 * Reads compose files the way `docker compose -f a.yml -f b.yml` does, for the
 * subset the docker provider implements: YAML with anchors and merge keys,
 * `${VAR}` / `${VAR:-default}` / `$$` interpolation, and override merging
 * (maps merge by key, `environment`/`labels` by variable, `volumes` by target,
 * `ports` are unioned, `command`/`entrypoint`/`healthcheck.test` replaced;
 * the `!override` tag replaces a value and `!reset` removes it).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { composeFile } from '../../engine/shared/app-paths';
import { StackError } from './stack-error';

/** A compose file the provider cannot use: a StackError (code CONFIG) naming the field. */
export class ComposeError extends StackError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message, 'CONFIG');
    this.name = 'ComposeError';
  }
}

/** A value tagged `!override` in an override file. */
class Override {
  constructor(readonly value: unknown) {}
}
/** A value tagged `!reset`. */
class Reset {}

export type ComposeObject = Record<string, unknown>;

export interface ComposeProject {
  name: string;
  /** directory of the first file; relative bind mounts resolve against it */
  workingDir: string;
  services: Record<string, ComposeObject>;
  volumes: Record<string, ComposeObject>;
  files: string[];
}

type Env = Record<string, string | undefined>;

/** Replaces `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR` and `$$` in one string. */
export function interpolate(s: string, env: Env, where: string): string {
  return s.replace(/\$(\$|\{([^}]*)\}|[A-Za-z_][A-Za-z0-9_]*)/g, (whole, body: string, braced: string | undefined) => {
    if (body === '$') return '$';
    if (braced === undefined) return env[body] ?? '';
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/s.exec(braced);
    if (!m) throw new ComposeError(`${where}: unsupported interpolation ${whole}`, where);
    const name = m[1] ?? '';
    const op = m[2];
    const dflt = m[3];
    const v = env[name];
    if (op === ':-') return v === undefined || v === '' ? (dflt ?? '') : v;
    if (op === '-') return v === undefined ? (dflt ?? '') : v;
    return v ?? '';
  });
}

function toValue(node: unknown, doc: Document, env: Env, path: string): unknown {
  if (isAlias(node)) return toValue(node.resolve(doc), doc, env, path);
  const tag = (node as { tag?: string } | null)?.tag;
  if (tag === '!reset') return new Reset();
  if (tag === '!override') {
    (node as { tag?: string }).tag = undefined;
    const v = toValue(node, doc, env, path);
    (node as { tag?: string }).tag = '!override';
    return new Override(v);
  }
  if (isMap(node)) {
    const out: ComposeObject = {};
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
      if (key === '<<') {
        const sources = isSeq(item.value) ? item.value.items : [item.value];
        for (const src of sources) {
          const merged = toValue(src, doc, env, path);
          if (merged && typeof merged === 'object' && !Array.isArray(merged)) {
            for (const [k, v] of Object.entries(merged)) if (!(k in out)) out[k] = v;
          }
        }
        continue;
      }
      out[key] = toValue(item.value, doc, env, path ? `${path}.${key}` : key);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((it, i) => toValue(it, doc, env, `${path}[${i}]`));
  if (isScalar(node)) return typeof node.value === 'string' ? interpolate(node.value, env, path) : node.value;
  if (node === null || node === undefined) return null;
  return (node as YamlNode).toJSON();
}

/** Parses one compose file's text into plain values (with Override/Reset markers). */
export function parseComposeText(text: string, file: string, env: Env = process.env): ComposeObject {
  const doc = parseDocument(text, { merge: false, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) throw new ComposeError(`${file}: ${firstError.message}`);
  const value = toValue(doc.contents, doc, env, '');
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ComposeError(`${file}: a compose file must be a mapping`);
  return value as ComposeObject;
}

const isPlainObject = (v: unknown): v is ComposeObject => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Override) && !(v instanceof Reset);

/** KEY=VALUE list or map → map (for merging environment and labels). */
function listToMap(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const item of v) {
      const s = String(item);
      const eq = s.indexOf('=');
      out[eq < 0 ? s : s.slice(0, eq)] = eq < 0 ? null : s.slice(eq + 1);
    }
    return out;
  }
  return isPlainObject(v) ? v : {};
}

function volumeTarget(v: unknown): string {
  if (isPlainObject(v)) return String(v.target ?? '');
  const parts = String(v).split(':');
  return (parts.length === 1 ? parts[0] : parts[1]) ?? '';
}

function mergeByKey(base: unknown[], over: unknown[], key: (v: unknown) => string): unknown[] {
  const out = new Map<string, unknown>();
  for (const v of base) out.set(key(v), v);
  for (const v of over) out.set(key(v), v);
  return [...out.values()];
}

function mergeValue(path: string, base: unknown, over: unknown): unknown {
  if (over instanceof Override) return over.value;
  if (over instanceof Reset) return undefined;
  if (base === undefined || base === null) return over;
  const leaf = path.split('.').pop() ?? '';
  const inService = /^services\.[^.]+\.[^.]+$/.test(path);
  if (inService && (leaf === 'environment' || leaf === 'labels')) {
    return mergeMaps(path, listToMap(base), listToMap(over));
  }
  if (inService && (leaf === 'command' || leaf === 'entrypoint')) return over;
  if (path.endsWith('.healthcheck.test')) return over;
  if (Array.isArray(base) && Array.isArray(over)) {
    if (inService && leaf === 'volumes') return mergeByKey(base, over, volumeTarget);
    if (inService && leaf === 'depends_on') return [...new Set([...base, ...over].map(String))];
    // ports and any other list: union, keeping order
    return mergeByKey(base, over, (v) => JSON.stringify(v));
  }
  if (inService && leaf === 'depends_on' && (Array.isArray(base) || Array.isArray(over))) {
    const asMap = (v: unknown) => (Array.isArray(v) ? Object.fromEntries(v.map((s) => [String(s), { condition: 'service_started' }])) : (v as ComposeObject));
    return mergeMaps(path, asMap(base), asMap(over));
  }
  if (isPlainObject(base) && isPlainObject(over)) return mergeMaps(path, base, over);
  return over;
}

function mergeMaps(path: string, base: ComposeObject, over: ComposeObject): ComposeObject {
  const out: ComposeObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const merged = mergeValue(path ? `${path}.${k}` : k, base[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

/** Strips markers left in a first file (where `!override` just means the value). */
function unwrap(v: unknown): unknown {
  if (v instanceof Override) return unwrap(v.value);
  if (v instanceof Reset) return undefined;
  if (Array.isArray(v)) return v.map(unwrap);
  if (isPlainObject(v)) {
    const out: ComposeObject = {};
    for (const [k, x] of Object.entries(v)) {
      const u = unwrap(x);
      if (u !== undefined) out[k] = u;
    }
    return out;
  }
  return v;
}

/** Merges already-parsed compose documents, later ones overriding earlier ones. */
export function mergeComposeDocs(docs: ComposeObject[]): ComposeObject {
  let out: ComposeObject = {};
  for (const d of docs) out = mergeMaps('', out, d);
  return unwrap(out) as ComposeObject;
}

function projectNameOf(raw: string): string {
  const name = raw.toLowerCase().replace(/[^a-z0-9_-]/g, '');
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) throw new ComposeError(`invalid project name ${JSON.stringify(raw)}`, 'name');
  return name;
}

/** Builds the project from merged documents; `fallbackName` when no file sets `name`. */
export function composeProject(merged: ComposeObject, files: string[], fallbackName: string, env: Env = process.env): ComposeProject {
  const services = merged.services;
  if (!isPlainObject(services) || Object.keys(services).length === 0) {
    throw new ComposeError(`${files.join(', ')}: no services defined`, 'services');
  }
  for (const [name, svc] of Object.entries(services)) {
    if (!isPlainObject(svc)) throw new ComposeError(`services.${name} must be a mapping`, `services.${name}`);
  }
  const volumes: Record<string, ComposeObject> = {};
  if (merged.volumes !== undefined && merged.volumes !== null) {
    if (!isPlainObject(merged.volumes)) throw new ComposeError('top-level volumes must be a mapping', 'volumes');
    for (const [k, v] of Object.entries(merged.volumes)) volumes[k] = isPlainObject(v) ? v : {};
  }
  const name = env.COMPOSE_PROJECT_NAME || (typeof merged.name === 'string' ? merged.name : fallbackName);
  return {
    name: projectNameOf(name),
    workingDir: files[0] ? dirname(resolve(files[0])) : process.cwd(),
    services: services as Record<string, ComposeObject>,
    volumes,
    files,
  };
}

/** Reads and merges compose files from disk. */
export function loadComposeProject(files: string[], env: Env = process.env): ComposeProject {
  if (files.length === 0) throw new ComposeError('no compose file given');
  const docs = files.map((f) => {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (err) {
      throw new ComposeError(`cannot read compose file ${f}: ${(err as Error).message}`, 'composeFile');
    }
    return parseComposeText(text, f, env);
  });
  return composeProject(mergeComposeDocs(docs), files.map((f) => resolve(f)), 'topk', env);
}

/**
 * The compose files to merge: stack/compose.yml first, then the override files
 * `composeFiles` (the CLI's `--compose-file`, else the `composeFiles` setting),
 * like `docker compose -f stack/compose.yml -f override.yml`.
 */
export function composeFilesFrom(opts: { composeFiles?: string[]; base?: string } = {}): string[] {
  const base = resolve(opts.base ?? composeFile());
  return [base, ...(opts.composeFiles ?? []).map((f) => resolve(f)).filter((f) => f !== base)];
}
