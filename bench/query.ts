/**
 * `topk bench query`: seed users with ~T distinct tracks a day over 7 days
 * (counters written directly), start the real API (and, with --baseline, the
 * seed design's server) as child processes, and load them with autocannon in
 * a forked process: cache hits, Redis-only hits, misses (cache bypassed).
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import cassandra from 'cassandra-driver';
import type { Config } from '../engine/shared/config';
import { configToEnv } from '../engine/shared/config';
import type { CassandraClient } from '../engine/shared/cassandra';
import { mapLimit } from '../engine/shared/concurrency';
import { catalogue, hash32, mulberry32 } from '../engine/crawler/sources/simulator-catalogue';
import { lastDays } from '../engine/shared/listen-identity';
import { engineArgs, ROOT, sampleMemory, startChild, tsxArgs } from './child';
import type { ChildHandle } from './child';
import type { LoadJob, LoadResult } from './load-worker';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Users `prefix0..` with `tracksPerDay` distinct tracks (counts 1..~40, Zipf-like) on each of the last 7 days. */
export async function seedUsers(db: CassandraClient, prefix: string, users: number, tracksPerDay: number, say: (l: string) => void): Promise<string[]> {
  const cat = catalogue();
  await mapLimit(cat.tracks, 64, (t) =>
    db.execute('INSERT INTO tracks (song_id, title, artist, album) VALUES (?, ?, ?, ?)', [t.song_id, t.title, t.artist, t.album], { prepare: true }),
  );
  const days = lastDays(7);
  const ids = Array.from({ length: users }, (_, i) => `${prefix}${i}`);
  const per = Math.min(tracksPerDay, cat.tracks.length);
  const jobs: Array<[string, string]> = ids.flatMap((u) => days.map((d) => [u, d] as [string, string]));
  const t0 = performance.now();
  let done = 0;
  await mapLimit(jobs, 16, async ([u, d]) => {
    const r = mulberry32(hash32('bench-query', u, d));
    // a random window of the catalogue: distinct tracks, overlapping across days
    const start = Math.floor(r() * cat.tracks.length);
    const queries: Array<{ query: string; params: unknown[] }> = [];
    for (let j = 0; j < per; j++) {
      const song = cat.tracks[(start + j) % cat.tracks.length]!.song_id;
      const plays = 1 + Math.floor(40 / (1 + j * r() * 0.05));
      queries.push({ query: 'UPDATE daily_counts SET plays = plays + ? WHERE user_id = ? AND day = ? AND song_id = ?', params: [cassandra.types.Long.fromNumber(plays), u, d, song] });
    }
    // one partition per batch: counter batches of 100 statements
    for (let i = 0; i < queries.length; i += 100) await db.batch(queries.slice(i, i + 100), { prepare: true, counter: true, logged: false });
    await db.execute('INSERT INTO user_days (user_id, day) VALUES (?, ?)', [u, d], { prepare: true });
    if (++done % 100 === 0) say(`seeded ${done}/${jobs.length} user-days (${Math.round((done * per) / ((performance.now() - t0) / 1000))} counters/s)`);
  });
  return ids;
}

export async function load(job: LoadJob): Promise<LoadResult> {
  const child = fork(join(ROOT, 'bench/load-worker.ts'), [], { execArgv: tsxArgs('bench/load-worker.ts').slice(0, 2), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ok: boolean; result?: LoadResult; error?: string }) => (m.ok ? resolve(m.result!) : reject(new Error(m.error))));
    child.once('exit', (code) => reject(new Error(`load generator exited with code ${code}`)));
    child.send(job);
  });
}

/** Request every user once (fills the caches). */
export async function warm(url: string, token: string, users: string[]): Promise<void> {
  await mapLimit(users, 8, async (u) => {
    const res = await fetch(`${url}/users/${encodeURIComponent(u)}/topk?days=7&k=10`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`warm-up GET for ${u}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  });
}

export interface Server {
  url: string;
  token: string;
  child: ChildHandle;
  mem: ReturnType<typeof sampleMemory>;
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
    TOPK_SEED_CACHE_PREFIX: `topk:bench:${tag}:seedcache:`,
  };
  if (kind === 'ours-redis-only') env.TOPK_API_LRU_MAX = '0';
  const child = kind === 'seed' ? startChild(tsxArgs('bench/seed-api.ts'), env, 'seed api') : startChild(engineArgs('api'), env, 'api');
  await child.ready;
  const mem = sampleMemory(child.pid);
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    child,
    mem,
    async stop() {
      mem.stop();
      await child.stop();
    },
  };
}

/** Delete what the run seeded. */
export async function unseed(db: CassandraClient, users: string[]): Promise<void> {
  const days = lastDays(7);
  await mapLimit(users, 16, async (u) => {
    for (const d of days) await db.execute('DELETE FROM daily_counts WHERE user_id = ? AND day = ?', [u, d], { prepare: true });
    await db.execute('DELETE FROM user_days WHERE user_id = ?', [u], { prepare: true });
  });
}
