/** Largest single entry an import reads: a listen (or a Last.fm export page of 200 tracks) is far smaller. */
export const MAX_ENTRY_CHARS = 4 << 20;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJ = 123;
const CLOSE_OBJ = 125;
const OPEN_ARR = 91;
const CLOSE_ARR = 93;
const COMMA = 44;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** An element that is not JSON (a malformed entry: counted, not fatal). */
export const MALFORMED: unique symbol = Symbol('malformed JSON element');
/** The element a text ended inside (a file cut short). */
export const TRUNCATED: unique symbol = Symbol('truncated JSON element');
/** One element of a JSON array: its parsed value, MALFORMED or TRUNCATED. */
export type JsonElement = unknown;

/** The value of one element's text, or MALFORMED. */
export function parseElement(t: string): JsonElement {
  if (t === '') return MALFORMED;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return MALFORMED;
  }
}

/** text parsed by one JSON.parse in the fast path */
const BATCH_CHARS = 64 * 1024;
/** consecutive failed batch parses after which a stream is read element by element only */
const MAX_BATCH_FAILURES = 3;

/**
 * The elements of one JSON array in a text stream, parsed, in batches (about
 * one per chunk): the top-level array (`key` undefined) or the array under a
 * top-level object's `key` (Maloja's `{"scrobbles": [...]}`).
 *
 * Two paths with one result. Fast: between elements, the text up to a
 * complete-looking object (`}` before `, {`, else a `}`) is parsed by one
 * JSON.parse as an array; if that parses, it is exactly the next elements
 * (a cut inside a string or a nested value cannot parse), and the cost is
 * V8's parser alone. Otherwise (a malformed element, elements that are not
 * objects, a cut at a nested `}`) the chunk is scanned character by character
 * — strings skipped with indexOf — and each element is parsed alone, so a bad
 * one is MALFORMED and the rest still count. Memory holds one chunk and one
 * element; an element larger than MAX_ENTRY_CHARS is an Error, and so is an
 * element not closed when the text ends (TRUNCATED is yielded first).
 */
export async function* jsonArrayElements(text: AsyncIterable<string>, key?: string): AsyncIterable<JsonElement[]> {
  let buf = '';
  let pos = 0;
  let depth = 0;
  let inString = false;
  let strStart = -1;
  let lastKey: string | undefined;
  /** depth at which the elements live: 1 for a top-level array, 2 under a key */
  const td = key === undefined ? 1 : 2;
  let armed = false;
  let done = false;
  let start = -1;
  let primitive = false;
  let started = false;
  let failures = 0;

  /** The end of the last complete-looking object at or before `to`: a `}` followed by `,` and `{` (between two elements), else the last `}`. */
  const cut = (from: number, to: number): number => {
    for (let k = buf.lastIndexOf('{', to), tries = 0; k > from && tries < 4; k = buf.lastIndexOf('{', k - 1), tries++) {
      let j = k - 1;
      while (j > from && isSpace(buf.charCodeAt(j))) j--;
      if (buf.charCodeAt(j) !== COMMA) continue;
      j--;
      while (j > from && isSpace(buf.charCodeAt(j))) j--;
      if (buf.charCodeAt(j) === CLOSE_OBJ) return j;
    }
    return buf.lastIndexOf('}', to);
  };

  /**
   * Fast path, from pos (between elements): the elements of the next span of about BATCH_CHARS, or
   * 'wait' when buf holds no complete element more (the rest waits for more text), or 'scan' when the
   * character scan must take over at pos. Spans are yielded one by one: a span's objects then die
   * young (with 256 KiB at a time they outlived a scavenge and parsing was ~1.5x slower, measured).
   */
  const span = (): JsonElement[] | 'wait' | 'scan' => {
    let s = pos;
    let c = buf.charCodeAt(s);
    while (c === COMMA || isSpace(c)) c = buf.charCodeAt(++s);
    if (s >= buf.length) return 'wait';
    if (c !== OPEN_OBJ) return 'scan';
    let e = cut(s, Math.min(buf.length - 1, s + BATCH_CHARS));
    if (e < s) e = cut(s, buf.length - 1); // an element longer than a span
    if (e < s) return 'wait';
    let values: JsonElement[];
    try {
      values = JSON.parse('[' + buf.slice(s, e + 1) + ']') as JsonElement[];
    } catch {
      failures++;
      return 'scan';
    }
    failures = 0;
    pos = e + 1;
    return values;
  };

  /** Slow path: scans buf from pos; stops early (true) when it has just armed, so the fast path can take over. */
  const scan = (out: JsonElement[], stopOnArm: boolean): boolean => {
    while (pos < buf.length) {
      if (inString) {
        const q = buf.indexOf('"', pos);
        if (q < 0) {
          pos = buf.length;
          break;
        }
        let k = q - 1;
        while (k >= 0 && buf.charCodeAt(k) === BACKSLASH) k--;
        pos = q + 1;
        if ((q - 1 - k) % 2 === 1) continue; // escaped quote
        inString = false;
        if (key !== undefined && !armed && depth === 1) lastKey = buf.slice(strStart + 1, q);
        continue;
      }
      const c = buf.charCodeAt(pos);
      if (c === QUOTE) {
        inString = true;
        strStart = pos;
        if (armed && depth === td && start < 0) {
          start = pos;
          primitive = true;
        }
      } else if (c === OPEN_OBJ || c === OPEN_ARR) {
        if (armed && depth === td && start < 0) {
          start = pos;
          primitive = false;
        }
        depth++;
        if (!armed && !done && c === OPEN_ARR && depth === td && (key === undefined || (depth === 2 && lastKey === key))) {
          armed = true;
          if (stopOnArm) {
            pos++;
            return true;
          }
        }
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if (armed && depth === td && start >= 0 && primitive) {
          out.push(parseElement(buf.slice(start, pos).trim()));
          start = -1;
        }
        depth--;
        if (armed && depth === td && start >= 0 && !primitive) {
          out.push(parseElement(buf.slice(start, pos + 1)));
          start = -1;
        } else if (armed && depth === td - 1) {
          armed = false;
          done = true;
        }
        if (depth < 0) throw new Error('import file is not valid JSON: a bracket closes nothing');
      } else if (c === COMMA) {
        if (armed && depth === td && start >= 0 && primitive) {
          out.push(parseElement(buf.slice(start, pos).trim()));
          start = -1;
        }
      } else if (armed && depth === td && start < 0 && !isSpace(c)) {
        start = pos;
        primitive = true;
      }
      pos++;
    }
    return false;
  };

  for await (const chunk of text) {
    buf += chunk;
    if (!started) {
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
      started = buf.length > 0;
    }
    for (;;) {
      if (armed && !done && depth === td && !inString && start < 0 && failures < MAX_BATCH_FAILURES) {
        const r = span();
        if (typeof r !== 'string') {
          yield r;
          continue;
        }
        if (r === 'wait' && buf.length - pos <= MAX_ENTRY_CHARS) break;
      }
      const out: JsonElement[] = [];
      const armedNow = scan(out, failures < MAX_BATCH_FAILURES);
      if (out.length > 0) yield out;
      if (!armedNow) break;
    }
    // drop consumed text: keep the open element (or the open key string)
    const keep = start >= 0 ? start : inString ? strStart : pos;
    if (keep > 0) {
      buf = buf.slice(keep);
      pos -= keep;
      if (start >= 0) start -= keep;
      if (inString) strStart -= keep;
    }
    if (start >= 0 && buf.length > MAX_ENTRY_CHARS) throw new Error(`import entry larger than ${MAX_ENTRY_CHARS >> 20} MiB: not a listening-history export`);
    if (inString && strStart >= 0 && buf.length > MAX_ENTRY_CHARS) throw new Error(`import string larger than ${MAX_ENTRY_CHARS >> 20} MiB: not a listening-history export`);
  }
  // what the fast path left: the last element(s) and the closing bracket
  const out: JsonElement[] = [];
  scan(out, false);
  if (!done && start >= 0) out.push(TRUNCATED);
  if (out.length > 0) yield out;
  if (!done) {
    if (armed) throw new Error('import file is truncated: the JSON array is never closed');
    throw new Error(key === undefined ? 'import file holds no JSON array' : `import file holds no "${key}" array`);
  }
}

/** Non-empty lines of a text stream (JSON lines, CSV rows, log lines), without their line ends, in batches. */
export async function* textLines(text: AsyncIterable<string>, maxLine = MAX_ENTRY_CHARS): AsyncIterable<string[]> {
  let buf = '';
  let first = true;
  for await (const chunk of text) {
    buf += chunk;
    if (first && buf.length > 0) {
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
      first = false;
    }
    let from = 0;
    let nl: number;
    const out: string[] = [];
    while ((nl = buf.indexOf('\n', from)) >= 0) {
      const end = nl > from && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > from) out.push(buf.slice(from, end));
      from = nl + 1;
    }
    if (out.length > 0) yield out;
    buf = from > 0 ? buf.slice(from) : buf;
    if (buf.length > maxLine) throw new Error(`import line longer than ${maxLine >> 20} MiB: not a listening-history export`);
  }
  const last = buf.endsWith('\r') ? buf.slice(0, -1) : buf;
  if (last.length > 0) yield [last];
}
