import cassandra from 'cassandra-driver';
import type { CassandraClient } from '../cassandra';
import { READ } from '../cassandra-policies';

export type Row = cassandra.types.Row;

/** One CQL statement with its bound values (a member of a batch). */
export interface Statement {
  query: string;
  params: unknown[];
}

/**
 * Every row of a query, mapped, page by page (driver paging with `fetchSize`
 * rows per round trip): the one typed way this code base streams rows. A read,
 * so idempotent: the driver may send it to another node (see cassandra-policies).
 */
export async function* streamRows<T>(db: CassandraClient, query: string, params: unknown[], map: (r: Row) => T, fetchSize = 5000): AsyncGenerator<T> {
  let pageState: string | undefined;
  do {
    const rs = await db.execute(query, params, { ...READ, fetchSize, pageState });
    for (const r of rs.rows) yield map(r);
    pageState = rs.pageState ?? undefined;
  } while (pageState);
}

/** Every row of a query, mapped, collected into an array. */
export async function allRows<T>(db: CassandraClient, query: string, params: unknown[], map: (r: Row) => T, fetchSize = 5000): Promise<T[]> {
  const out: T[] = [];
  for await (const v of streamRows(db, query, params, map, fetchSize)) out.push(v);
  return out;
}

/** The first row of a single-row read, mapped; null when there is none. */
export async function oneRow<T>(db: CassandraClient, query: string, params: unknown[], map: (r: Row) => T): Promise<T | null> {
  const r = (await db.execute(query, params, READ)).first();
  return r ? map(r) : null;
}

/** A prepared write (or any statement whose rows are not needed). */
export async function run(db: CassandraClient, query: string, params: unknown[]): Promise<void> {
  await db.execute(query, params, { prepare: true });
}

/** A counter column (Long) or count(*) result as a number. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return 0;
  return Number(String(v));
}

/** "YYYY-MM-DD" → LocalDate, cached: the driver would otherwise parse the string for every statement it encodes. */
const localDates = new Map<string, cassandra.types.LocalDate>();
export function localDate(day: string): cassandra.types.LocalDate {
  let d = localDates.get(day);
  if (!d) {
    d = cassandra.types.LocalDate.fromString(day);
    if (localDates.size > 4096) localDates.clear();
    localDates.set(day, d);
  }
  return d;
}

/** A timestamp column as an ISO string (undefined when null). */
export const isoOf = (d: unknown): string | undefined => (d instanceof Date ? d.toISOString() : undefined);

/** A text column that may be null. */
export const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
