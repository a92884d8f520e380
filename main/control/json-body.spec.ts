import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../engine/shared/http-error';
import { readJsonObject } from './json-body';

const body = (...parts: string[]): IncomingMessage => Readable.from(parts.map((p) => Buffer.from(p))) as unknown as IncomingMessage;

async function failure(p: Promise<unknown>): Promise<Pick<HttpError, 'status' | 'code' | 'field'>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  const { status, code, field } = err as HttpError;
  return { status, code, field };
}

describe('readJsonObject', () => {
  it('parses an object sent in several chunks', async () => {
    expect(await readJsonObject(body('{"a":', ' 1, "b": "x"}'), 100)).toEqual({ a: 1, b: 'x' });
  });

  it('gives undefined for an empty or blank body', async () => {
    expect(await readJsonObject(body(), 100)).toBeUndefined();
    expect(await readJsonObject(body('  \n'), 100)).toBeUndefined();
  });

  it('refuses a body over the limit with 413, counting every chunk', async () => {
    expect(await failure(readJsonObject(body('{"a":"', 'x'.repeat(10), '"}'), 12))).toEqual({ status: 413, code: 'body_too_large', field: undefined });
  });

  it('refuses text that is not JSON, and JSON that is not an object, naming the body', async () => {
    expect(await failure(readJsonObject(body('{oops'), 100))).toEqual({ status: 400, code: 'invalid_json', field: 'body' });
    for (const text of ['[1]', 'null', '"s"', '3']) expect(await failure(readJsonObject(body(text), 100))).toEqual({ status: 400, code: 'invalid_body', field: 'body' });
  });
});
