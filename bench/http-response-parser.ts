/**
 * The smallest HTTP/1.1 response reader the open-loop generator needs
 * (bench/open-loop.ts): bytes of one keep-alive connection in, one call per
 * complete response out — its status, whether the connection stays open, and
 * its body only when the caller asked for it (the sampled answer checks);
 * every other body is skipped without being copied. Bodies are framed by
 * Content-Length, chunked transfer coding, or the connection's end; 1xx heads
 * are skipped. Reads may split anywhere, heads and chunk lines included.
 */

export interface HttpResponse {
  status: number;
  /** false when the server said `Connection: close` (or framed the body by closing) */
  keepAlive: boolean;
  /** the body, when the response was read with `keepBody` */
  body?: Buffer;
}

type State = 'head' | 'length' | 'chunk-line' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close';

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** a head or chunk line longer than this is not a response this generator talks to */
const MAX_LINE = 64 * 1024;

export class HttpResponseParser {
  private state: State = 'head';
  /** bytes of a head, chunk line or trailer not complete yet */
  private pending: Buffer | null = null;
  private remaining = 0;
  private status = 0;
  private keepAlive = true;
  private parts: Buffer[] = [];
  private keep = false;

  constructor(private readonly onResponse: (r: HttpResponse) => void) {}

  /** Whether the next response's body is kept (set before its bytes arrive). */
  keepBody(keep: boolean): void {
    this.keep = keep;
  }

  /** True between responses: the connection's close would cut nothing. */
  get between(): boolean {
    return this.state === 'head' && this.pending === null;
  }

  /** Feed the next bytes read from the connection. Throws on bytes that are not an HTTP/1.1 response. */
  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    while (at < buf.length) {
      switch (this.state) {
        case 'head': {
          const end = buf.indexOf(HEAD_END, at);
          if (end < 0) return this.hold(buf, at);
          this.head(buf.toString('latin1', at, end));
          at = end + 4;
          break;
        }
        case 'length':
        case 'chunk-data':
        case 'until-close': {
          const n = this.state === 'until-close' ? buf.length - at : Math.min(this.remaining, buf.length - at);
          if (this.keep) this.parts.push(Buffer.from(buf.subarray(at, at + n)));
          at += n;
          this.remaining -= n;
          if (this.state === 'length' && this.remaining === 0) this.done();
          else if (this.state === 'chunk-data' && this.remaining === 0) this.state = 'chunk-end';
          break;
        }
        case 'chunk-end': {
          if (buf.length - at < 2) return this.hold(buf, at);
          if (buf[at] !== 13 || buf[at + 1] !== 10) throw new Error('chunked body: chunk not followed by CRLF');
          at += 2;
          this.state = 'chunk-line';
          break;
        }
        case 'chunk-line': {
          const end = buf.indexOf(CRLF, at);
          if (end < 0) return this.hold(buf, at);
          const size = parseInt(buf.toString('latin1', at, end).split(';')[0]!.trim(), 16);
          if (!Number.isFinite(size) || size < 0) throw new Error(`chunked body: bad chunk size line ${JSON.stringify(buf.toString('latin1', at, end))}`);
          at = end + 2;
          if (size === 0) this.state = 'trailers';
          else {
            this.remaining = size;
            this.state = 'chunk-data';
          }
          break;
        }
        case 'trailers': {
          // trailer lines until an empty one
          const end = buf.indexOf(CRLF, at);
          if (end < 0) return this.hold(buf, at);
          const empty = end === at;
          at = end + 2;
          if (empty) this.done();
          break;
        }
      }
    }
  }

  /**
   * The connection ended. A body framed by the end is complete now; any other response
   * in progress was cut: that throws, so the caller counts it as an error.
   */
  end(): void {
    if (this.state === 'until-close') {
      this.done();
      return;
    }
    if (!this.between) throw new Error(`connection closed in the middle of a response (${this.state})`);
  }

  private hold(buf: Buffer, at: number): void {
    if (buf.length - at > MAX_LINE) throw new Error(`response ${this.state === 'head' ? 'head' : 'line'} longer than ${MAX_LINE} bytes`);
    // a copy: the socket's buffer is not ours to keep
    this.pending = Buffer.from(buf.subarray(at));
  }

  private head(text: string): void {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]!);
    if (!m) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(lines[0]!.slice(0, 60))}`);
    const status = Number(m[2]);
    if (status >= 100 && status < 200) return; // an interim response; the real one follows
    let length = -1;
    let chunked = false;
    let keepAlive = m[1] === '1';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.split(',').pop()!.trim() === 'chunked';
      else if (name === 'connection') {
        const tokens = value.split(',').map((t) => t.trim());
        if (tokens.includes('close')) keepAlive = false;
        else if (tokens.includes('keep-alive')) keepAlive = true;
      }
    }
    this.status = status;
    this.keepAlive = keepAlive;
    this.parts = [];
    if (status === 204 || status === 304) this.done();
    else if (chunked) this.state = 'chunk-line';
    else if (length >= 0 && Number.isInteger(length)) {
      this.remaining = length;
      this.state = 'length';
      if (length === 0) this.done();
    } else {
      this.state = 'until-close';
      this.keepAlive = false;
    }
  }

  private done(): void {
    const r: HttpResponse = { status: this.status, keepAlive: this.keepAlive };
    if (this.keep) r.body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.state = 'head';
    this.keep = false;
    this.onResponse(r);
  }
}
