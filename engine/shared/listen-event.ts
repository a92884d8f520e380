/**
 * The Kafka event on topic `listens` (INTERFACES.md): key = user_id, value = JSON.
 */
export interface ListenEvent {
  v: 1;
  user_id: string;
  source: string;
  /** ms since epoch, integer */
  listened_at: number;
  song_id: string;
  title: string;
  artist: string;
  album?: string;
  crawl_id?: string;
  /** ms since epoch */
  published_at: number;
}

export type ParseResult = { ok: true; event: ListenEvent } | { ok: false; reason: string };

const MAX_ID = 512;
const MAX_TEXT = 2048;
/** listened_at must be a plausible time: after 2000-01-01 and at most a day in the future */
const MIN_TIME = Date.UTC(2000, 0, 1);

function str(o: Record<string, unknown>, key: string, max: number, required: boolean): string | undefined | Error {
  const v = o[key];
  if (v === undefined || v === null) return required ? new Error(`missing_${key}`) : undefined;
  if (typeof v !== 'string') return new Error(`invalid_${key}`);
  if (required && v.trim() === '') return new Error(`empty_${key}`);
  if (v.length > max) return new Error(`too_long_${key}`);
  return v;
}

/** The text fields of an event: name, longest length, required (made once: the aggregator checks every message). */
const FIELDS = [
  ['user_id', MAX_ID, true],
  ['source', 64, true],
  ['song_id', MAX_ID, true],
  ['title', MAX_TEXT, true],
  ['artist', MAX_TEXT, true],
  ['album', MAX_TEXT, false],
  ['crawl_id', MAX_ID, false],
] as const;

/** Validate an event value (Buffer, string or already-parsed object). Never throws. */
export function parseListenEvent(input: Buffer | string | null | undefined | object, nowMs = Date.now()): ParseResult {
  if (input === null || input === undefined) return { ok: false, reason: 'empty_value' };
  let raw: unknown = input;
  if (Buffer.isBuffer(input) || typeof input === 'string') {
    const text = Buffer.isBuffer(input) ? input.toString('utf8') : input;
    if (text.length === 0) return { ok: false, reason: 'empty_value' };
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'invalid_json' };
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not_an_object' };
  const o = raw as Record<string, unknown>;
  if (o.v !== 1) return { ok: false, reason: 'unsupported_version' };
  const fields: Record<string, string | undefined> = {};
  for (const [k, max, req] of FIELDS) {
    const r = str(o, k, max, req);
    if (r instanceof Error) return { ok: false, reason: r.message };
    fields[k] = r;
  }
  const la = o.listened_at;
  if (typeof la !== 'number' || !Number.isSafeInteger(la)) return { ok: false, reason: 'invalid_listened_at' };
  if (la < MIN_TIME || la > nowMs + 86_400_000) return { ok: false, reason: 'listened_at_out_of_range' };
  const pa = o.published_at;
  if (typeof pa !== 'number' || !Number.isFinite(pa)) return { ok: false, reason: 'invalid_published_at' };
  const event: ListenEvent = {
    v: 1,
    user_id: fields.user_id!,
    source: fields.source!,
    listened_at: la,
    song_id: fields.song_id!,
    title: fields.title!,
    artist: fields.artist!,
    published_at: Math.trunc(pa),
  };
  if (fields.album !== undefined) event.album = fields.album;
  if (fields.crawl_id !== undefined) event.crawl_id = fields.crawl_id;
  return { ok: true, event };
}

/** Encode an event for Kafka: key = user_id. */
export function encodeListenEvent(e: ListenEvent): { key: string; value: string } {
  return { key: e.user_id, value: JSON.stringify(e) };
}
