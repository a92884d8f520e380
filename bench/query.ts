/**
 * `topk bench query` and `bench load`: start the real API (and, with --baseline,
 * the seed design's server) as child processes, and load them from a forked
 * process (autocannon, or the open loop of bench/open-loop.ts). What is seeded
 * and asked for is bench/query-scopes.ts.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Config } from '../engine/shared/config';
import { configToEnv } from '../engine/shared/config';
import { mapLimit } from '../engine/shared/concurrency';
import { ROOT, sampleMemory, startChild, startEngine, tsxArgs } from './child';
import type { ChildHandle } from './child';
import type { LoadJob, LoadResult } from './load-worker';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { collectApiLoop } from './api-loop';
import { freePort } from '../main/stack/probes';

export async function load(job: LoadJob): Promise<LoadResult> {
  const child = fork(join(ROOT, 'bench/load-worker.ts'), [], { execArgv: tsxArgs('bench/load-worker.ts').slice(0, 2), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ok: boolean; result?: LoadResult; error?: string }) => (m.ok ? resolve(m.result!) : reject(new Error(m.error))));
    child.once('exit', (code) => reject(new Error(`load generator exited with code ${code}`)));
    child.send(job);
  });
}

/** Request every path once (fills the caches). */
export async function warm(url: string, token: string, paths: string[]): Promise<void> {
  await mapLimit(paths, 8, async (p) => {
    const res = await fetch(`${url}${p}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`warm-up GET ${p}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  });
}

export interface Server {
  url: string;
  token: string;
  child: ChildHandle;
  mem: ReturnType<typeof sampleMemory>;
  /** the API's event-loop probe lines (bench/loop-probe.mjs) */
  loop: ReturnType<typeof collectApiLoop>;
  stop(): Promise<void>;
}

export async function startServer(kind: 'ours' | 'ours-redis-only' | 'seed', config: Config, tag: string): Promise<Server> {
  const port = await freePort();
  const token = `bench-${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    ...configToEnv(config),
    TOPK_API_PORT: String(port),
    TOPK_API_HOST: '127.0.0.1',
    TOPK_API_TOKEN: token,
    TOPK_LOG_LEVEL: 'info',
  };
  if (kind === 'ours-redis-only') env.TOPK_API_LRU_MAX = '0';
  // the API logs its event-loop delay, GC pauses and CPU every 250 ms (bench/loop-probe.mjs, bench-only)
  env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(join(ROOT, 'bench/loop-probe.mjs')).href}`.trim();
  const child = kind === 'seed' ? startChild([...tsxArgs('bench/seed-api.ts'), `topk:bench:${tag}:seedcache:`], env, 'seed api') : startEngine('api', env);
  const loop = collectApiLoop(child);
  await child.ready;
  const mem = sampleMemory(child.pid);
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    child,
    mem,
    loop,
    async stop() {
      mem.stop();
      await child.stop();
    },
  };
}
