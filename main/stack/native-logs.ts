/**
 * The native stack's service logs are plain files, appended to by every start: the last lines
 * of one, why its latest start ended, and a follower that polls it for appended lines (and
 * starts over when it was truncated).
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Disposable } from './types';

/** The line `spawnDetached` writes before each start, so a reader can tell one start from the last. */
export const START_MARK = '--- topk: starting ';

/** What a line that explains a failed start looks like in Kafka's, Cassandra's (log4j/logback) and Redis's logs. */
const CAUSE = /\b(ERROR|FATAL)\b|^Caused by:|^\S+(Exception|Error)(:|$)|Address already in use|Could not create server/;

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

/**
 * Why a service's latest start ended: the error lines its log holds since the last start mark
 * (a Java exception's first line is printed on the line after its ERROR line), then its last `n`
 * lines. The tail alone often shows only the orderly shutdown that followed the error.
 */
export function exitReport(file: string, n: number): string {
  const text = tailFile(file, 2000);
  const mark = text.lastIndexOf(START_MARK);
  const lines = (mark < 0 ? text : text.slice(text.indexOf('\n', mark) + 1)).split('\n');
  const causes = [...new Set(lines.filter((l) => CAUSE.test(l)).map((l) => l.trimEnd()))].slice(0, 8);
  const tail = lines.slice(-n - 1).join('\n');
  return causes.length > 0 ? `errors in ${file}:\n${causes.join('\n')}\nlast lines:\n${tail}` : `last lines of ${file}:\n${tail}`;
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
