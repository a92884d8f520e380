import { badRequest } from '../../../engine/shared/http-error';

/**
 * The gate of the read-only CQL console: a real tokenizer (strings, $$-strings,
 * quoted identifiers, all three comment forms) so nothing can hide in a
 * comment or a literal, then the rules:
 *
 * - exactly one statement (one optional trailing `;`), and it starts with SELECT;
 * - no `ALLOW FILTERING` (a scan of the whole table);
 * - no bind markers (the console has no values to bind);
 * - the row limit: an existing top-level `LIMIT n` is clamped, else one is appended.
 *
 * The statement sent to Cassandra is the original text with comments replaced
 * by a space (what was checked is what runs).
 */

export type CqlTokenKind = 'word' | 'qident' | 'string' | 'punct' | 'comment' | 'space';

export interface CqlToken {
  kind: CqlTokenKind;
  text: string;
  start: number;
  end: number;
}

export const MAX_CQL_LENGTH = 20_000;

function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c);
}

/** Splits CQL into tokens; throws a 400 for an unterminated string, identifier or comment. */
export function tokenizeCql(src: string): CqlToken[] {
  const out: CqlToken[] = [];
  let i = 0;
  const push = (kind: CqlTokenKind, start: number, end: number): void => {
    out.push({ kind, text: src.slice(start, end), start, end });
  };
  while (i < src.length) {
    const c = src[i]!;
    const two = src.slice(i, i + 2);
    const start = i;
    if (/\s/.test(c)) {
      while (i < src.length && /\s/.test(src[i]!)) i++;
      push('space', start, i);
    } else if (two === '--' || two === '//') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl;
      push('comment', start, i);
    } else if (two === '/*') {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) throw badRequest('invalid_cql', 'the statement has a /* comment that is never closed', 'cql');
      i = close + 2;
      push('comment', start, i);
    } else if (two === '$$') {
      const close = src.indexOf('$$', i + 2);
      if (close < 0) throw badRequest('invalid_cql', 'the statement has a $$ string that is never closed', 'cql');
      i = close + 2;
      push('string', start, i);
    } else if (c === "'" || c === '"') {
      // '' inside a string and "" inside a quoted identifier are escaped quotes
      i++;
      for (;;) {
        if (i >= src.length) throw badRequest('invalid_cql', c === "'" ? 'the statement has a string that is never closed' : 'the statement has a quoted identifier that is never closed', 'cql');
        if (src[i] === c) {
          if (src[i + 1] === c) {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        i++;
      }
      push(c === "'" ? 'string' : 'qident', start, i);
    } else if (isWordChar(c)) {
      while (i < src.length && isWordChar(src[i]!)) i++;
      push('word', start, i);
    } else {
      i++;
      push('punct', start, i);
    }
  }
  return out;
}

const isWord = (t: CqlToken | undefined, w: string): boolean => t?.kind === 'word' && t.text.toUpperCase() === w;

export interface GuardedSelect {
  /** the statement to execute */
  cql: string;
  /** the row limit in force */
  limit: number;
}

/** Checks `src` is one read-only SELECT and enforces `maxRows`; throws a 400 HttpError otherwise. */
export function guardSelect(src: string, maxRows: number): GuardedSelect {
  if (src.length > MAX_CQL_LENGTH) throw badRequest('cql_too_long', `the statement is longer than ${MAX_CQL_LENGTH} characters`, 'cql');
  const tokens = tokenizeCql(src);
  const sig = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  if (!sig.length) throw badRequest('empty_cql', 'the statement is empty', 'cql');

  const first = sig[0]!;
  if (first.kind === 'punct' && first.text === ';') throw badRequest('empty_cql', 'the statement is empty', 'cql');
  if (!isWord(first, 'SELECT')) {
    const what = first.kind === 'word' ? first.text.toUpperCase() : first.text;
    throw badRequest('not_select', `the console is read-only and runs only SELECT statements; this one starts with ${what}`, 'cql');
  }
  const semi = sig.findIndex((t) => t.kind === 'punct' && t.text === ';');
  if (semi >= 0 && semi < sig.length - 1) {
    throw badRequest('multiple_statements', 'only one statement can run at a time; remove everything after the first ";"', 'cql');
  }
  const body = semi >= 0 ? sig.slice(0, semi) : sig;

  let depth = 0;
  let limitTok: CqlToken | undefined;
  for (let k = 0; k < body.length; k++) {
    const t = body[k]!;
    if (t.kind === 'punct') {
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') depth = Math.max(0, depth - 1);
      else if (t.text === '?') throw badRequest('bind_marker', 'bind markers (?) are not supported in the console; write the values into the statement', 'cql');
      continue;
    }
    if (isWord(t, 'ALLOW') && isWord(body[k + 1], 'FILTERING')) {
      throw badRequest('allow_filtering', 'ALLOW FILTERING is not allowed in the console: it makes Cassandra scan the whole table. Restrict the partition key instead', 'cql');
    }
    if (depth === 0 && isWord(t, 'LIMIT') && !isWord(body[k - 1], 'PARTITION')) {
      const n = body[k + 1];
      if (n?.kind === 'punct' && n.text === ':') throw badRequest('bind_marker', 'bind markers are not supported in the console; write the LIMIT as a number', 'cql');
      if (!n || n.kind !== 'word' || !/^\d+$/.test(n.text)) throw badRequest('invalid_cql', 'LIMIT must be followed by a whole number', 'cql');
      limitTok = n;
    }
  }

  // the original text minus comments and the trailing semicolon, LIMIT clamped or appended
  const last = body[body.length - 1]!;
  let text = '';
  let limit = maxRows;
  for (const t of tokens) {
    if (t.start >= last.end) break;
    if (t.kind === 'comment') text += ' ';
    else if (t === limitTok) {
      limit = Math.max(1, Math.min(Number(t.text), maxRows));
      text += String(limit);
    } else text += t.text;
  }
  text = text.trim();
  if (!limitTok) text += ` LIMIT ${maxRows}`;
  return { cql: text, limit };
}
