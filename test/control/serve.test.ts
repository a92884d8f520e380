/**
 * `npx topk serve` end to end against the real stack (external provider):
 * fresh data dir, own ports/keyspace/topic/group, crawl the simulator through
 * the proxied API, exact Top-K, SIGKILL the aggregator mid-work and see the
 * supervisor restart it with counts still exact, follow the log stream, stop
 * cleanly with no process left behind.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateListens } from '../../engine/crawler/sources/simulator';
import { until } from '../helpers/until';
import { processAlive } from '../../main/stack/probes';
import { removeServeTestData, serveTestEnv } from '../helpers/serve-env';

const ROOT = join(import.meta.dirname, '..', '..');
const DAY = 86_400_000;
const tag = randomBytes(4).toString('hex');

describe('topk serve', () => {
  let dataDir: string;
  let serveEnv: Record<string, string> = {};
  let serve: ChildProcess;
  let out = '';
  let base = '';
  let token = '';
  let exitCode: number | null | undefined;
  let resolveExit!: () => void;
  const exited = new Promise<void>((r) => (resolveExit = r));
  const enginePids = new Set<number>();

  async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        base + path,
        { method, headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json' } : {}) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode!, body: (text ? JSON.parse(text) : undefined) as T });
            } catch {
              reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
            }
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  interface Proc {
    name: string;
    state: string;
    pid: number | null;
    restarts: number;
  }
  const processes = async () => (await call<{ processes: Proc[] }>('GET', '/control/processes')).body.processes;

  async function crawl(user: string, seed: number, lpd: number): Promise<{ created_at: string; finished_at: string; crawl_id: string }> {
    expect((await call('PUT', `/api/v1/users/${user}`, {})).status).toBeLessThan(300);
    const src = await call('PUT', `/api/v1/users/${user}/sources/simulator`, { seed, listens_per_day: lpd });
    expect(src.status, JSON.stringify(src.body)).toBeLessThan(300);
    const c = await call<{ crawl_id: string }>('POST', `/api/v1/users/${user}/crawls`, { source: 'simulator' });
    expect(c.status, JSON.stringify(c.body)).toBe(202);
    return { crawl_id: c.body.crawl_id, created_at: '', finished_at: '' };
  }

  async function crawlDone(id: string): Promise<{ created_at: string; finished_at: string; started_at: string; listens_fetched: number }> {
    return until(
      `crawl ${id}`,
      async () => {
        const r = await call<{ state: string; created_at: string; started_at: string; finished_at: string; listens_fetched: number; error?: string }>('GET', `/api/v1/crawls/${id}`);
        if (r.body.state === 'failed') throw new Error(`crawl failed: ${r.body.error}`);
        return r.body.state === 'done' ? r.body : undefined;
      },
      120_000,
    );
  }

  const lag0 = () => until('consumer lag 0', async () => (await call<{ consumer_lag: number }>('GET', '/api/v1/pipeline')).body.consumer_lag === 0, 180_000, 1000);

  async function topk(user: string): Promise<Map<string, number>> {
    const r = await call<{ results: { song_id: string; listen_count: number }[] }>('GET', `/api/users/${user}/topk?days=7&k=1000`);
    expect(r.status).toBe(200);
    return new Map(r.body.results.map((x) => [x.song_id, x.listen_count]));
  }

  /** Counts of the simulated listens in the Top-K window, for a crawl whose `now` lay in [lo, hi]. */
  function expectedCandidates(seed: number, user: string, lpd: number, lo: number, hi: number): Map<string, number>[] {
    const today = Math.floor(Date.now() / DAY) * DAY;
    const from = today - 6 * DAY;
    const count = (listens: { song_id: string }[]) => {
      const m = new Map<string, number>();
      for (const l of listens) m.set(l.song_id, (m.get(l.song_id) ?? 0) + 1);
      return m;
    };
    const base = generateListens(seed, user, from, lo, { listensPerDay: lpd });
    const edge = generateListens(seed, user, lo, hi + 1, { listensPerDay: lpd });
    // the crawl's `now` lies between lo and hi: any prefix of the edge listens may be included
    return Array.from({ length: edge.length + 1 }, (_, i) => count([...base, ...edge.slice(0, i)]));
  }

  function expectExact(got: Map<string, number>, candidates: Map<string, number>[]): void {
    const sorted = (m: Map<string, number>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const match = candidates.some((c) => JSON.stringify(sorted(c)) === JSON.stringify(sorted(got)));
    if (!match) expect(sorted(got)).toEqual(sorted(candidates[0]!));
    expect(got.size).toBeGreaterThan(0);
  }

  beforeAll(async () => {
    serveEnv = await serveTestEnv('serve', tag);
    dataDir = serveEnv.TOPK_DATA_DIR!;
    const env: NodeJS.ProcessEnv = { ...process.env, ...serveEnv };
    delete env.TOPK_API_TOKEN;
    delete env.NODE_OPTIONS;
    serve = spawn('npx', ['--no-install', 'topk', 'serve', '--provider', 'external'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    serve.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    serve.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    serve.on('exit', (code) => {
      exitCode = code;
      resolveExit();
    });
    const url = await until('ready line', () => Promise.resolve(/^ready (\S+)$/m.exec(out)?.[1] ?? (exitCode !== undefined ? Promise.reject(new Error(`serve exited ${exitCode}:\n${out}`)) : undefined)), 180_000, 200);
    base = url.replace(/\/$/, '');
    token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    for (const p of await processes()) if (p.pid) enginePids.add(p.pid);
  }, 200_000);

  afterAll(async () => {
    if (serve && exitCode === undefined) {
      try {
        process.kill(-serve.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const pid of enginePids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    // leave nothing behind on the shared stack: keyspace, topics, consumer group
    await removeServeTestData(serveEnv);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints progress, then ready with the UI and API answering; processes are running', async () => {
    expect(out).toMatch(/\[stack\] provider external/);
    expect(out).toMatch(/applying migrations to keyspace topk_serve_/);
    expect(new URL(base).hostname).toBe('127.0.0.1');
    const ui = await new Promise<number>((r) => request(base + '/', (res) => (res.resume(), r(res.statusCode!))).end());
    expect(ui).toBe(200);
    expect((await call('GET', '/api/readyz')).status).toBe(200);
    const procs = await processes();
    expect(procs.map((p) => [p.name, p.state])).toEqual([
      ['crawler', 'running'],
      ['aggregator', 'running'],
      ['api', 'running'],
    ]);
  });

  it('crawls the simulator through the proxied API to exact Top-K counts', async () => {
    const user = `serve-a-${tag}`;
    const { crawl_id } = await crawl(user, 11, 150);
    const c = await crawlDone(crawl_id);
    await lag0();
    expectExact(await topk(user), expectedCandidates(11, user, 150, Date.parse(c.created_at) - 1000, Date.parse(c.finished_at)));
  }, 300_000);

  it('restarts a SIGKILLed aggregator, counts stay exact, the log stream shows it', async () => {
    const before = (await processes()).find((p) => p.name === 'aggregator')!;
    expect(before.pid).toBeTruthy();

    // follow the aggregator's log stream (EventSource style: token in the query)
    const lines: { msg: string; fields?: { pid?: number } }[] = [];
    let sseRes: IncomingMessage | undefined;
    const sseReq = request(`${base}/control/logs/stream?service=aggregator&tail=0&token=${token}`, { headers: { accept: 'text/event-stream' } }, (res) => {
      sseRes = res;
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const data = buf
            .slice(0, i)
            .split('\n')
            .find((l) => l.startsWith('data: '));
          buf = buf.slice(i + 2);
          if (data) lines.push(JSON.parse(data.slice(6)) as { msg: string });
        }
      });
    });
    sseReq.on('error', () => undefined);
    sseReq.end();
    await until('log stream open', () => Promise.resolve(sseRes?.statusCode === 200), 10_000, 50);

    // kill it while it has work: a bigger crawl for a second user
    const user = `serve-b-${tag}`;
    const { crawl_id } = await crawl(user, 12, 400);
    let crawlState = 'unknown';
    await until(
      'listens flowing',
      async () => {
        if ((await call<{ consumer_lag: number }>('GET', '/api/v1/pipeline')).body.consumer_lag > 0) return true;
        const cr = (await call<{ state: string; error?: string }>('GET', `/api/v1/crawls/${crawl_id}`)).body;
        crawlState = cr.state;
        if (cr.state === 'failed') throw new Error(`crawl failed: ${cr.error}`);
        if (cr.state === 'done') return true;
        throw new Error(`crawl ${crawl_id} is ${crawlState}, consumer lag 0`);
      },
      150_000,
      100,
    );
    process.kill(before.pid!, 'SIGKILL');

    const after = await until(
      'aggregator restarted and running',
      async () => {
        const p = (await processes()).find((x) => x.name === 'aggregator')!;
        return p.state === 'running' && p.pid && p.pid !== before.pid ? p : undefined;
      },
      180_000,
    );
    enginePids.add(after.pid!);
    expect(after.restarts).toBe(before.restarts + 1);
    expect(processAlive(before.pid!)).toBe(false);

    const c = await crawlDone(crawl_id);
    await lag0();
    expectExact(await topk(user), expectedCandidates(12, user, 400, Date.parse(c.created_at) - 1000, Date.parse(c.finished_at)));
    // the first user's counts are untouched by the replay after the crash
    const userA = `serve-a-${tag}`;
    expect([...(await topk(userA)).values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    await until('ready line of the new aggregator on the log stream', () => Promise.resolve(lines.some((l) => l.msg === 'ready' && l.fields?.pid === after.pid)), 30_000, 100);
    expect(lines.some((l) => l.msg === 'ready' && l.fields?.pid === after.pid)).toBe(true);
    sseReq.destroy();

    const warn = await call<{ entries: { service: string; msg: string }[] }>('GET', '/control/logs?service=control&level=warn&q=aggregator');
    expect(warn.body.entries.some((e) => /aggregator crashed \(killed by SIGKILL\)/.test(e.msg))).toBe(true);
  }, 400_000);

  it('keeps secrets out of the log files', () => {
    const files = readFileSync(join(dataDir, 'logs', 'topk.log'), 'utf8');
    expect(files.length).toBeGreaterThan(0);
    expect(files).not.toContain(token);
  });

  it('stops cleanly on Ctrl-C (SIGINT to the process group) with no process left behind', async () => {
    for (const p of await processes()) if (p.pid) enginePids.add(p.pid);
    // what a terminal does: SIGINT to every process of the foreground group (npx, the bin wrapper, serve)
    process.kill(-serve.pid!, 'SIGINT');
    await Promise.race([exited, new Promise((_, rej) => setTimeout(() => rej(new Error(`serve did not exit:\n${out}`)), 60_000))]);
    expect(out).toMatch(/stopping \(SIGINT\); the stack keeps running/);
    expect(out).toMatch(/^stopped$/m);
    expect(out).not.toMatch(/exiting now/);
    await until('engine processes gone', () => Promise.resolve([...enginePids].every((p) => !processAlive(p))), 5_000, 100);
    await until(
      'process group gone',
      () => {
        try {
          process.kill(-serve.pid!, 0);
          return Promise.resolve(false);
        } catch {
          return Promise.resolve(true);
        }
      },
      10_000,
      100,
    );
    const down = await new Promise<string>((r) => request(base + '/control/health', () => r('answered')).on('error', (e) => r(e.message)).end());
    expect(down).toMatch(/ECONNREFUSED/);
  }, 90_000);
});
