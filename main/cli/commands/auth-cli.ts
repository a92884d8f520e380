import { spawn } from 'node:child_process';
import { platform } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Config } from '../../../engine/shared/config';
import { createCassandra } from '../../../engine/shared/cassandra';
import type { CassandraClient } from '../../../engine/shared/cassandra';
import { createLogger } from '../../../engine/shared/logger';
import type { AuthService } from '../../auth/auth-service';
import { createAuthService } from '../../auth/create-auth-service';

/** Shared plumbing of `topk login | logout | accounts`. */

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** asks the person at the terminal; undefined when nobody can answer (stdin is not a terminal) */
  ask?(question: string): Promise<string | undefined>;
}

export const consoleIo: CliIo = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  ask: async (question) => {
    if (!process.stdin.isTTY) return undefined;
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
};

/** A running control server for this data dir, if one answers (it owns Cassandra, so it is preferred). */
export async function controlServer(config: Config): Promise<{ url: string; call: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: Record<string, unknown> }> } | undefined> {
  const url = `http://127.0.0.1:${config.port}`;
  try {
    const res = await fetch(`${url}/control/health`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) return undefined;
  } catch {
    return undefined;
  }
  return {
    url,
    call: async (method, path, body) => {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${config.apiToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
  };
}

/**
 * An in-process AuthService. Cassandra is used when it answers within a few
 * seconds (users table); otherwise the account is recorded as an app user
 * when the app next starts (AuthService.start()).
 */
export async function localAuth(config: Config, opts: { cassandra?: boolean } = {}): Promise<{ auth: AuthService; cassandra: boolean; close(): Promise<void> }> {
  const log = createLogger('cli', { level: config.fromEnv.includes('logLevel') ? config.logLevel : 'warn', destination: process.stderr });
  let db: CassandraClient | undefined;
  if (opts.cassandra !== false) {
    // an absent stack is normal here: keep the driver's connection warnings off the terminal
    const c = createCassandra(config, createLogger('cli', { level: 'error', destination: process.stderr }));
    try {
      await Promise.race([c.connect(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 4000).unref())]);
      await c.execute('SELECT user_id FROM users LIMIT 1');
      db = c;
    } catch {
      await c.shutdown().catch(() => undefined);
    }
  }
  const auth = createAuthService(config, log, { cassandra: db });
  return {
    auth,
    cassandra: !!db,
    close: async () => {
      await auth.close();
      await db?.shutdown();
    },
  };
}

/** Opens a URL in the system browser; failures are reported, never fatal. */
export function openBrowser(url: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false;
  const [cmd, args] = platform() === 'darwin' ? ['open', [url]] : platform() === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/** The user code, big enough to read across the room. */
export function bigCode(code: string): string[] {
  const spaced = code.split('').join(' ');
  const bar = '─'.repeat(spaced.length + 8);
  return [`  ┌${bar}┐`, `  │    ${spaced}    │`, `  └${bar}┘`];
}
