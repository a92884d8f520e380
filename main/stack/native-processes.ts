/**
 * The native stack's processes by pid: alive, finished (zombies count as finished only when no
 * thread is left), and stopped with SIGTERM then SIGKILL.
 */
import { readFileSync } from 'node:fs';

/** The process exists (EPERM: it does, but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM, wait, SIGKILL fallback. */
export async function stopPid(pid: number, timeoutMs: number): Promise<'stopped' | 'killed' | 'gone'> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(pid)) return 'stopped';
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  for (let i = 0; i < 50 && !exited(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return 'killed';
}

/**
 * The process has finished: gone, or a zombie with no thread left (only its
 * parent's wait() is missing). A JVM's main thread turns zombie while its
 * other threads are still exiting (and still hold its ports) — that is not
 * finished yet.
 */
export function exited(pid: number): boolean {
  if (!pidAlive(pid)) return true;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return !pidAlive(pid);
  }
  if (!/^State:\s+Z/m.test(status)) return false;
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1) <= 1;
}
