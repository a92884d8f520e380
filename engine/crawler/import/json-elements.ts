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

/**
 * Cuts the elements of one JSON array out of a text stream (in batches, one per chunk) without parsing
 * the rest: the top-level array (`key` undefined) or the array under a
 * top-level object's `key` (Maloja's `{"scrobbles": [...]}`). Holds one
 * element at a time; strings are skipped with indexOf, so the scan costs
 * little more than reading the text. An element that is not closed when the
 * text ends (a file cut short) is an Error: its rest is unknown.
 */
export async function* jsonArrayElements(text: AsyncIterable<string>, key?: string): AsyncIterable<Array<string | null>> {
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
  for await (const chunk of text) {
    buf += chunk;
    if (!started) {
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
      started = buf.length > 0;
    }
    const out: Array<string | null> = [];
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
        if (!armed && !done && c === OPEN_ARR && depth === td && (key === undefined || (depth === 2 && lastKey === key))) armed = true;
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if (armed && depth === td && start >= 0 && primitive) {
          out.push(buf.slice(start, pos).trim());
          start = -1;
        }
        depth--;
        if (armed && depth === td && start >= 0 && !primitive) {
          out.push(buf.slice(start, pos + 1));
          start = -1;
        } else if (armed && depth === td - 1) {
          armed = false;
          done = true;
        }
        if (depth < 0) throw new Error('import file is not valid JSON: a bracket closes nothing');
      } else if (c === COMMA) {
        if (armed && depth === td && start >= 0 && primitive) {
          out.push(buf.slice(start, pos).trim());
          start = -1;
        }
      } else if (armed && depth === td && start < 0 && !isSpace(c)) {
        start = pos;
        primitive = true;
      }
      pos++;
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
    if (out.length > 0) yield out;
  }
  if (!done) {
    if (start >= 0) yield [null];
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
