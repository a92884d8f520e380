import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface RotatingFileOptions {
  dir: string;
  /** file name; rotated copies get .1, .2, … (default topk.log) */
  name?: string;
  /** rotate when the file would grow past this (default 10 MiB) */
  maxBytes?: number;
  /** rotated files to keep (default 5) */
  keep?: number;
  /** buffered lines are written at least this often (default 200 ms) */
  flushMs?: number;
}

/** Appends lines to a file, rotating it by size and keeping the newest `keep` rotated copies. */
export class RotatingFile {
  readonly path: string;
  private fd: number | undefined;
  private size = 0;
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly flushMs: number;

  constructor(private readonly opts: RotatingFileOptions) {
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    this.path = join(opts.dir, opts.name ?? 'topk.log');
    this.maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    this.keep = opts.keep ?? 5;
    this.flushMs = opts.flushMs ?? 200;
  }

  write(line: string): void {
    this.buffer.push(line.endsWith('\n') ? line : line + '\n');
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.buffer;
    this.buffer = [];
    for (const l of lines) {
      const bytes = Buffer.byteLength(l);
      if (this.fd === undefined) this.open();
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      writeSync(this.fd!, l);
      this.size += bytes;
    }
  }

  /** paths of the current file and the rotated ones that exist, newest first */
  files(): string[] {
    const all = [this.path];
    for (let i = 1; i <= this.keep; i++) all.push(`${this.path}.${i}`);
    return all.filter((p) => existsSync(p));
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = statSync(this.path).size;
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    if (this.keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    this.open();
  }
}
