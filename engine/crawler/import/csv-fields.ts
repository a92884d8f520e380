/**
 * RFC 4180 records from batches of text lines (a batch of records per batch of lines): fields split at commas, "quoted" fields
 * may hold commas, doubled quotes and line breaks (a record then spans lines).
 */
export async function* csvFields(lines: AsyncIterable<string[]>, maxRecordChars = 1 << 20): AsyncIterable<string[][]> {
  let pending: string | undefined;
  for await (const batch of lines) {
    const out: string[][] = [];
    for (const line of batch) {
      const rec = pending === undefined ? line : pending + '\n' + line;
      if (rec.indexOf('"') < 0) {
        pending = undefined;
        out.push(rec.split(','));
        continue;
      }
      const fields = parseQuoted(rec);
      if (fields === undefined) {
        if (rec.length > maxRecordChars) throw new Error('CSV record longer than 1 MiB: an unclosed quote');
        pending = rec;
        continue;
      }
      pending = undefined;
      out.push(fields);
    }
    if (out.length > 0) yield out;
  }
  if (pending !== undefined) throw new Error('CSV file is truncated: a quoted field is never closed');
}

/** The fields of one record, or undefined while a quoted field is still open. */
export function parseQuoted(rec: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (rec.charCodeAt(i) === 34) {
      let v = '';
      let j = i + 1;
      for (;;) {
        const q = rec.indexOf('"', j);
        if (q < 0) return undefined;
        v += rec.slice(j, q);
        if (rec.charCodeAt(q + 1) === 34) {
          v += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      const comma = rec.indexOf(',', j);
      // text between the closing quote and the comma is kept (lenient, as spreadsheet tools are)
      v += comma < 0 ? rec.slice(j) : rec.slice(j, comma);
      out.push(v);
      if (comma < 0) return out;
      i = comma + 1;
    } else {
      const comma = rec.indexOf(',', i);
      out.push(comma < 0 ? rec.slice(i) : rec.slice(i, comma));
      if (comma < 0) return out;
      i = comma + 1;
    }
  }
}
