import type { IncomingMessage } from 'node:http';
import { HttpError, badRequest } from '../../engine/shared/http-error';

/**
 * Reads a control request's body as one JSON object: 413 `body_too_large` past
 * `maxBytes`, 400 `invalid_json` / `invalid_body` (field `body`) when it is not
 * JSON or not an object. An empty body (white space only) gives `undefined`, so
 * each route decides whether a body is optional.
 */
export async function readJsonObject(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > maxBytes) throw new HttpError(413, 'body_too_large', `request body over ${maxBytes} bytes`);
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('invalid_json', 'request body is not valid JSON', 'body');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('invalid_body', 'request body must be a JSON object', 'body');
  return parsed as Record<string, unknown>;
}
