import { describe, expect, it } from 'vitest';
import { HttpResponseParser } from './http-response-parser';
import type { HttpResponse } from './http-response-parser';

/** Feed `text` cut into pieces of `size` bytes (every split point, heads and chunk lines included). */
function read(text: string, size: number, keep = true): HttpResponse[] {
  const got: HttpResponse[] = [];
  const p = new HttpResponseParser((r) => {
    got.push(r);
    p.keepBody(keep);
  });
  p.keepBody(keep);
  const bytes = Buffer.from(text, 'latin1');
  for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
  p.end();
  return got;
}

const body = (r: HttpResponse): string | undefined => r.body?.toString('latin1');

const LENGTH = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":[1,2]}';
const CHUNKED = 'HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n4;ext=1\r\n{"a"\r\n3\r\n:[1\r\nA\r\n,2,3,4,5]}\r\n0\r\nX-Trailer: t\r\n\r\n';

describe('HttpResponseParser', () => {
  it('reads Content-Length and chunked responses back to back, whatever the reads split', () => {
    for (const size of [1, 2, 3, 7, 64, 4096]) {
      const got = read(LENGTH + CHUNKED + LENGTH, size);
      expect(got.map((r) => [r.status, r.keepAlive, body(r)]), `reads of ${size} bytes`).toEqual([
        [200, true, '{"a":[1,2]}'],
        [404, true, '{"a":[1,2,3,4,5]}'],
        [200, true, '{"a":[1,2]}'],
      ]);
    }
  });

  it('skips bodies it was not asked to keep', () => {
    const got = read(LENGTH + CHUNKED, 5, false);
    expect(got).toEqual([
      { status: 200, keepAlive: true },
      { status: 404, keepAlive: true },
    ]);
  });

  it('knows when the server closes: Connection: close, HTTP/1.0, and a body framed by the end', () => {
    expect(read('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok', 3)).toEqual([{ status: 200, keepAlive: false, body: Buffer.from('ok') }]);
    expect(read('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', 3)).toEqual([{ status: 200, keepAlive: false, body: Buffer.alloc(0) }]);
    expect(read('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', 3)[0]!.keepAlive).toBe(true);
    expect(read('HTTP/1.1 200 OK\r\n\r\nuntil the end', 4)).toEqual([{ status: 200, keepAlive: false, body: Buffer.from('until the end') }]);
  });

  it('skips interim 1xx heads, and 204/304 have no body', () => {
    const got = read('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n' + LENGTH, 2);
    expect(got.map((r) => [r.status, body(r)])).toEqual([
      [204, ''],
      [304, ''],
      [200, '{"a":[1,2]}'],
    ]);
  });

  it('a connection that ends in the middle of a response throws, between responses it does not', () => {
    for (const cut of [10, LENGTH.length - 3, LENGTH.length + 30]) {
      const p = new HttpResponseParser(() => undefined);
      p.push(Buffer.from((LENGTH + CHUNKED).slice(0, cut), 'latin1'));
      expect(p.between).toBe(false);
      expect(() => p.end(), `cut at ${cut}`).toThrow(/closed in the middle of a response/);
    }
    const p = new HttpResponseParser(() => undefined);
    p.push(Buffer.from(LENGTH, 'latin1'));
    expect(p.between).toBe(true);
    expect(() => p.end()).not.toThrow();
  });

  it('rejects bytes that are not an HTTP/1.x response', () => {
    const p = new HttpResponseParser(() => undefined);
    expect(() => p.push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(/not an HTTP\/1.x status line/);
    const q = new HttpResponseParser(() => undefined);
    expect(() => q.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'))).toThrow(/bad chunk size/);
    const r = new HttpResponseParser(() => undefined);
    expect(() => r.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY'))).toThrow(/not followed by CRLF/);
  });
});
