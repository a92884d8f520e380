import cassandra from 'cassandra-driver';
import type { Logger } from '../../../engine/shared/logger';
import { guardSelect } from './cql-guard';
import { HttpError, badRequest } from '../../../engine/shared/http-error';

const { types } = cassandra;

export type CqlColumnKind = 'partition_key' | 'clustering' | 'regular' | 'static';

export interface CqlColumnInfo {
  name: string;
  type: string;
  kind: CqlColumnKind;
  /** clustering columns: the clustering order */
  order?: 'asc' | 'desc';
}
export interface CqlTableInfo {
  name: string;
  columns: CqlColumnInfo[];
}
export interface CqlKeyspaceInfo {
  name: string;
  tables: CqlTableInfo[];
}
export interface CqlRowsResult {
  columns: string[];
  rows: Record<string, unknown>[];
  page_state: string | null;
  elapsed_ms: number;
  truncated?: boolean;
  /** the statement that ran (console) */
  cql?: string;
}

export const SYSTEM_KEYSPACES = new Set(['system', 'system_schema', 'system_auth', 'system_distributed', 'system_traces', 'system_views', 'system_virtual_schema']);

export interface CassandraInspectorOptions {
  client: cassandra.Client;
  /** the app's keyspace, listed first */
  keyspace?: string;
  log?: Logger;
  /** console timeout (default 5 s) */
  queryTimeoutMs?: number;
  /** most rows one request returns (default 1000) */
  maxRows?: number;
  /** browsing without a partition key stops after this many rows in all (default 10 000) */
  scanCap?: number;
}

const KIND_ORDER: Record<CqlColumnKind, number> = { partition_key: 0, clustering: 1, static: 2, regular: 3 };

/** `"name"` with embedded quotes doubled: safe for any identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Read-only views of Cassandra for the control server: schema from
 * system_schema, one partition's rows (or a bounded first page of a table)
 * with driver paging, and the guarded SELECT console.
 */
export class CassandraInspector {
  private readonly client: cassandra.Client;
  private readonly timeoutMs: number;
  private readonly maxRows: number;
  private readonly scanCap: number;

  constructor(private readonly o: CassandraInspectorOptions) {
    this.client = o.client;
    this.timeoutMs = o.queryTimeoutMs ?? 5000;
    this.maxRows = o.maxRows ?? 1000;
    this.scanCap = o.scanCap ?? 10_000;
  }

  async keyspaces(opts: { system?: boolean } = {}): Promise<CqlKeyspaceInfo[]> {
    const rs = await this.client.execute('SELECT keyspace_name, table_name, column_name, kind, position, type, clustering_order FROM system_schema.columns', [], {
      prepare: true,
      fetchSize: 100_000,
      readTimeout: this.timeoutMs * 2,
      consistency: types.consistencies.one,
    });
    const byKs = new Map<string, Map<string, (CqlColumnInfo & { position: number })[]>>();
    for (const r of rs.rows) {
      const ks = r.keyspace_name as string;
      if (!opts.system && SYSTEM_KEYSPACES.has(ks)) continue;
      const tables = byKs.get(ks) ?? new Map();
      byKs.set(ks, tables);
      const cols = tables.get(r.table_name as string) ?? [];
      tables.set(r.table_name as string, cols);
      const kind = (r.kind as string) as CqlColumnKind;
      const order = r.clustering_order as string;
      cols.push({
        name: r.column_name as string,
        type: r.type as string,
        kind,
        ...(kind === 'clustering' && (order === 'asc' || order === 'desc') ? { order } : {}),
        position: r.position as number,
      });
    }
    const names = [...byKs.keys()].sort((a, b) => (a === this.o.keyspace ? -1 : b === this.o.keyspace ? 1 : a.localeCompare(b)));
    return names.map((name) => ({
      name,
      tables: [...byKs.get(name)!.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([table, cols]) => ({
          name: table,
          columns: cols
            .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.kind === 'regular' || a.kind === 'static' ? a.name.localeCompare(b.name) : a.position - b.position))
            .map(({ position: _p, ...c }) => c),
        })),
    }));
  }

  async table(keyspace: string, table: string): Promise<CqlTableInfo> {
    const rs = await this.client.execute('SELECT column_name, kind, position, type, clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [keyspace, table], {
      prepare: true,
      consistency: types.consistencies.one,
      readTimeout: this.timeoutMs,
    });
    if (!rs.rows.length) {
      const ks = await this.client.execute('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace], { prepare: true, consistency: types.consistencies.one });
      if (!ks.rows.length) throw badRequest('unknown_keyspace', `there is no keyspace "${keyspace}"`, 'keyspace');
      throw badRequest('unknown_table', `keyspace "${keyspace}" has no table "${table}"`, 'table');
    }
    const columns = rs.rows
      .map((r) => ({ name: r.column_name as string, type: r.type as string, kind: r.kind as CqlColumnKind, position: r.position as number, order: r.clustering_order as string }))
      .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.position - b.position || a.name.localeCompare(b.name))
      .map(({ name, type, kind, order }) => ({ name, type, kind, ...(kind === 'clustering' && (order === 'asc' || order === 'desc') ? { order: order as 'asc' | 'desc' } : {}) }));
    return { name: table, columns };
  }

  /**
   * Rows of one partition (`key`: JSON object {column: value} or array in
   * partition-key order) or, without a key, a bounded first stretch of the
   * table; `limit` rows per page, `pageState` from the previous page.
   */
  async rows(keyspace: string, table: string, q: { key?: string; pageState?: string; limit?: number }): Promise<CqlRowsResult> {
    const limit = q.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > this.maxRows) throw badRequest('invalid_integer', `limit must be an integer between 1 and ${this.maxRows}`, 'limit');
    if (q.pageState !== undefined && !/^(?:[0-9a-f]{2})+$/i.test(q.pageState)) throw badRequest('invalid_page_state', 'page_state must be the hex string a previous page returned', 'page_state');
    const info = await this.table(keyspace, table);
    const pk = info.columns.filter((c) => c.kind === 'partition_key');
    const from = `${quoteIdent(keyspace)}.${quoteIdent(table)}`;
    let cql: string;
    let params: unknown[] = [];
    if (q.key !== undefined && q.key.trim() !== '') {
      params = partitionKeyValues(pk, q.key);
      cql = `SELECT * FROM ${from} WHERE ${pk.map((c) => `${quoteIdent(c.name)} = ?`).join(' AND ')}`;
    } else {
      // never unbounded: paging through a table without a key stops at scanCap rows
      cql = `SELECT * FROM ${from} LIMIT ${this.scanCap}`;
    }
    const t0 = Date.now();
    const rs = await this.run(cql, params, { prepare: true, fetchSize: limit, pageState: q.pageState });
    return {
      columns: rs.columns?.map((c) => c.name) ?? info.columns.map((c) => c.name),
      rows: rs.rows.map(jsonRow),
      page_state: rs.pageState ?? null,
      elapsed_ms: Date.now() - t0,
    };
  }

  /** The read-only console: one SELECT, LIMIT clamped to `limit`, a timeout. */
  async query(cqlText: unknown, limitIn: unknown): Promise<CqlRowsResult> {
    if (typeof cqlText !== 'string') throw badRequest('invalid_cql', 'cql must be a string holding one SELECT statement', 'cql');
    const limit = limitIn === undefined || limitIn === null ? 100 : limitIn;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > this.maxRows) throw badRequest('invalid_integer', `limit must be an integer between 1 and ${this.maxRows}`, 'limit');
    const g = guardSelect(cqlText, limit);
    const t0 = Date.now();
    const rs = await this.run(g.cql, [], { prepare: false, fetchSize: g.limit });
    const rows = rs.rows.slice(0, g.limit).map(jsonRow);
    return {
      columns: rs.columns?.map((c) => c.name) ?? [],
      rows,
      page_state: null,
      elapsed_ms: Date.now() - t0,
      truncated: rows.length >= g.limit,
      cql: g.cql,
    };
  }

  private async run(cql: string, params: unknown[], opts: { prepare: boolean; fetchSize: number; pageState?: string }): Promise<cassandra.types.ResultSet> {
    try {
      return await this.client.execute(cql, params, {
        prepare: opts.prepare,
        fetchSize: opts.fetchSize,
        pageState: opts.pageState,
        autoPage: false,
        readTimeout: this.timeoutMs,
        consistency: types.consistencies.one,
        // not retried on another host: a timeout surfaces as itself
        isIdempotent: false,
      });
    } catch (err) {
      throw mapCassandraError(err);
    }
  }
}

/** Server answers about the statement become 400s that say why; a timeout a 504. */
export function mapCassandraError(err: unknown): Error {
  const e = err as { code?: number; message?: string; name?: string };
  if (err instanceof cassandra.errors.OperationTimedOutError || e.code === types.responseErrorCodes.readTimeout) {
    return new HttpError(504, 'query_timeout', 'the query took too long and was cancelled; narrow it down to a partition key', 'cql');
  }
  if (err instanceof cassandra.errors.ResponseError) {
    const msg = e.message ?? 'rejected';
    if (/ALLOW FILTERING/i.test(msg)) {
      return badRequest('needs_allow_filtering', `this SELECT would have to scan the whole table (Cassandra asks for ALLOW FILTERING, which the console does not allow); restrict the full partition key instead. Cassandra said: ${msg}`, 'cql');
    }
    if (/keyspace has been specified|No keyspace/i.test(msg)) return badRequest('invalid_cql', `${msg}; write the table as keyspace.table`, 'cql');
    const codes = types.responseErrorCodes;
    if (e.code === codes.syntaxError || e.code === codes.invalid || e.code === codes.unauthorized || e.code === codes.protocolError) {
      return badRequest(e.code === codes.syntaxError ? 'cql_syntax' : 'invalid_cql', msg, 'cql');
    }
    if (/paging state|pag(e|ing)/i.test(msg)) return badRequest('invalid_page_state', `page_state was not accepted: ${msg}`, 'page_state');
  }
  return err as Error;
}

function partitionKeyValues(pk: CqlColumnInfo[], raw: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    if (pk.length === 1) parsed = raw;
    else throw badRequest('invalid_key', `key must be JSON: an object {${pk.map((c) => `"${c.name}": …`).join(', ')}} or an array in that order`, 'key');
  }
  let values: unknown[];
  if (Array.isArray(parsed)) values = parsed;
  else if (typeof parsed === 'object' && parsed !== null) {
    const obj = parsed as Record<string, unknown>;
    const unknown = Object.keys(obj).filter((k) => !pk.some((c) => c.name === k));
    if (unknown.length) throw badRequest('invalid_key', `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not part of the partition key (${pk.map((c) => c.name).join(', ')})`, 'key');
    values = pk.map((c) => obj[c.name]);
  } else values = [parsed];
  if (values.length !== pk.length || values.some((v) => v === undefined || v === null || v === '')) {
    throw badRequest('invalid_key', `the partition key needs a value for each of ${pk.map((c) => c.name).join(', ')}`, 'key');
  }
  return pk.map((c, i) => coerce(c, values[i]));
}

/** A JSON key value as the driver wants it for column type `c.type`. */
function coerce(c: CqlColumnInfo, v: unknown): unknown {
  const s = String(v).trim();
  const bad = (what: string): HttpError => badRequest('invalid_key', `${c.name} (${c.type}) must be ${what}, got ${JSON.stringify(v)}`, 'key');
  /** `make()` when the text passed its check, else 400 saying what the column wants */
  const checked = <T>(ok: boolean, what: string, make: () => T): T => {
    if (!ok) throw bad(what);
    return make();
  };
  const INTEGER = /^-?\d+$/;
  try {
    switch (c.type) {
      case 'text':
      case 'varchar':
      case 'ascii':
        return String(v);
      case 'int':
      case 'smallint':
      case 'tinyint':
        return checked(Number.isInteger(Number(s)), 'an integer', () => Number(s));
      case 'bigint':
      case 'counter':
        return checked(INTEGER.test(s), 'an integer', () => types.Long.fromString(s));
      case 'varint':
        return checked(INTEGER.test(s), 'an integer', () => types.Integer.fromString(s));
      case 'decimal':
        return types.BigDecimal.fromString(s);
      case 'float':
      case 'double':
        return checked(Number.isFinite(Number(s)), 'a number', () => Number(s));
      case 'boolean':
        return checked(s === 'true' || s === 'false', 'true or false', () => s === 'true');
      case 'date':
        return checked(/^-?\d{1,5}-\d{2}-\d{2}$/.test(s), 'a date YYYY-MM-DD', () => types.LocalDate.fromString(s));
      case 'time':
        return types.LocalTime.fromString(s);
      case 'timestamp': {
        const d = INTEGER.test(s) ? new Date(Number(s)) : new Date(s);
        if (Number.isNaN(d.getTime())) throw bad('an ISO time or milliseconds since the epoch');
        return d;
      }
      case 'uuid':
        return types.Uuid.fromString(s);
      case 'timeuuid':
        return types.TimeUuid.fromString(s);
      case 'inet':
        return types.InetAddress.fromString(s);
      case 'blob':
        return checked(/^(0x)?([0-9a-f]{2})*$/i.test(s), 'hex bytes', () => Buffer.from(s.replace(/^0x/i, ''), 'hex'));
      default:
        throw badRequest('unsupported_key_type', `${c.name} has type ${c.type}, which cannot be entered here; use the CQL console`, 'key');
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw bad(`a valid ${c.type}`);
  }
}

function jsonRow(row: cassandra.types.Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of row.keys()) out[k] = jsonSafe(row.get(k));
  return out;
}

/** Driver values rendered JSON-safe: Long/varint as numbers when exact, else strings; uuids, dates, blobs (hex) as strings. */
export function jsonSafe(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Buffer.isBuffer(v)) return `0x${v.toString('hex')}`;
  if (v instanceof types.Long) {
    const n = v.toNumber();
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  if (v instanceof types.Integer) {
    const s = v.toString();
    return Number.isSafeInteger(Number(s)) ? Number(s) : s;
  }
  if (v instanceof types.Tuple) return v.values().map(jsonSafe);
  if (v instanceof types.Uuid || v instanceof types.LocalDate || v instanceof types.LocalTime || v instanceof types.InetAddress || v instanceof types.BigDecimal || v instanceof types.Duration) {
    return v.toString();
  }
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v instanceof Set) return [...v].map(jsonSafe);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(jsonSafe(k)), jsonSafe(x)]));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, jsonSafe(x)]));
  return String(v);
}
