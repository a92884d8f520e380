/**
 * The native stack's service logs are plain files: the last lines of one, and a follower
 * that polls it for appended lines (and starts over when it was truncated).
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Disposable } from './types';

/** The last `n` lines of `file` (read from its last 64 KiB), '' when it does not exist. */
export function tailFile(file: string, n: number): string {
  if (!existsSync(file)) return '';
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString('utf8').split('\n').slice(-n - 1).join('\n');
  } finally {
    closeSync(fd);
  }
}

/** Calls `emit` with each whole line appended to `file` from now on, every 500 ms, until disposed or aborted. */
export function followFile(file: string, emit: (line: string) => void, signal?: AbortSignal): Disposable {
  let pos = existsSync(file) ? statSync(file).size : 0;
  let partial = '';
  const timer = setInterval(() => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size < pos) pos = 0; // truncated
    if (size === pos) return;
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - pos);
      readSync(fd, buf, 0, buf.length, pos);
      pos = size;
      const lines = (partial + buf.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) emit(l);
    } finally {
      closeSync(fd);
    }
  }, 500);
  const dispose = () => clearInterval(timer);
  signal?.addEventListener('abort', dispose, { once: true });
  return { dispose };
}
