import { errorSchema } from './errors';

/** user ids: what sources and GitHub sign-in produce (letters, digits, `._:@-`). */
export const userIdSchema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$', description: 'user id' } as const;
export const sourceSchema = { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}$', description: 'source name, e.g. listenbrainz or simulator' } as const;
/**
 * An IANA time zone. The document lists the canonical names this runtime knows (`docEnum`, documentation only);
 * the handlers accept their aliases too (Intl decides), so validation checks only the length.
 */
export const timeZoneSchema = {
  type: 'string',
  maxLength: 64,
  description: 'IANA time zone (the document lists the canonical names; their aliases are accepted too)',
  docEnum: [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])],
} as const;
export const dateSchema = { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

/** A field that holds a string or null (track metadata a source may not have). */
export const nullableString = { type: ['string', 'null'] } as const;

/** What the tracks table knows of a track; null where no source said. */
export const trackMetadata = { title: nullableString, artist: nullableString, album: nullableString } as const;

const optionalFields = new WeakSet<object>();

/** Marks a field of a `namedObject` as optional (a copy, so the same fragment may be required elsewhere). */
export function optional<S extends object>(schema: S): S {
  const copy = { ...schema };
  optionalFields.add(copy);
  return copy;
}

/**
 * An object schema named `title` (a component of the OpenAPI document, so a wire type of that name) whose
 * fields are all required but those marked `optional(…)`: each field is named once, and the required list
 * cannot miss one.
 */
export function namedObject<P extends Record<string, object>>(title: string, properties: P) {
  const required = Object.keys(properties).filter((k) => !optionalFields.has(properties[k]!));
  return { title, type: 'object', properties, required } as const;
}

export const userParams = { type: 'object', properties: { user_id: userIdSchema }, required: ['user_id'] } as const;

export const cacheQuery = {
  cache: { type: 'string', enum: ['bypass'], description: 'bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache' },
} as const;

/** Standard error responses every route documents. */
export function errors(...statuses: number[]): Record<string, unknown> {
  const descriptions: Record<number, string> = {
    400: 'Invalid input; `field` names the offending parameter',
    401: 'Missing or wrong bearer token',
    403: 'Host header not allowed',
    404: 'Not found',
    409: 'Conflict',
    413: 'Body too large',
    415: 'Unsupported media type',
    503: 'A backing service is unavailable',
  };
  const out: Record<string, unknown> = {};
  for (const s of [...statuses, 401]) out[String(s)] = { description: descriptions[s] ?? 'Error', ...errorSchema };
  return out;
}
