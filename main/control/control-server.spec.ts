import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rendererDir } from '../../engine/shared/app-paths';
import { LogStore } from '../logs/log-store';
import { ChildProcessLauncher } from '../supervisor/child-process-launcher';
import { Supervisor } from '../supervisor/supervisor';
import { startControlServer } from './control-server';
import type { ControlServerHandle, StackControl, StackProgress } from './control-server';

const TOKEN = 'control-spec-token-0123456789abcdefghij';
const FAKE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'supervisor', 'fake-service.mjs');

/** A stand-in engine API: echoes requests, streams SSE, returns chosen statuses. */
function startFakeApi(): Promise<{ server: Server; port: number; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const t = setInterval(() => {
        res.write(`data: tick ${n++}\n\n`);
        if (n === 3) {
          clearInterval(t);
          res.end();
        }
      }, 30);
      return;
    }
    if (url.pathname === '/teapot') {
      res.writeHead(418, { 'content-type': 'application/json', 'x-custom': 'yes' });
      res.end('{"error":{"code":"teapot","message":"short and stout"}}');
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization, host: req.headers.host, body }));
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as AddressInfo).port, seen })));
}

interface Res {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}
function http(base: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string; token?: string | null } = {}): Promise<Res> {
  const u = new URL(path, base);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
  return new Promise((resolve, reject) => {
    const req = request(u, { method: opts.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Reads an SSE stream until `until` says stop; returns the data lines seen. */
function sse(base: string, path: string, until: (events: string[]) => boolean, headers: Record<string, string> = {}): Promise<{ status: number; events: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: string[] = [];
      let buf = '';
      const done = () => {
        req.destroy();
        resolve({ status: res.statusCode!, events });
      };
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', done);
        return;
      }
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (data) events.push(data);
        }
        if (until(events)) done();
      });
      res.on('end', done);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('control server', () => {
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  let srv: ControlServerHandle;
  let logs: LogStore;
  let sup: Supervisor;
  let uiDir: string;
  const progressCbs = new Set<(e: StackProgress) => void>();
  const progress: StackProgress[] = [];
  let phase = 'stopped';
  const upRequests: (string | undefined)[] = [];
  const stack: StackControl = {
    status: () => Promise.resolve({ provider: 'external', phase, services: [] }),
    up: async (o) => {
      upRequests.push(o?.provider);
      phase = 'starting';
      for (const msg of ['connecting', 'migrating', 'ready']) {
        const e = { time: new Date().toISOString(), service: 'stack', phase: msg, message: msg };
        progress.push(e);
        progressCbs.forEach((cb) => cb(e));
        await new Promise((r) => setTimeout(r, 20));
      }
      phase = 'running';
    },
    down: () => {
      phase = 'stopped';
      return Promise.resolve();
    },
    progress: () => progress,
    onProgress: (cb) => {
      progressCbs.add(cb);
      return { dispose: () => progressCbs.delete(cb) };
    },
  };

  beforeAll(async () => {
    api = await startFakeApi();
    logs = new LogStore({ secrets: [TOKEN] });
    sup = new Supervisor({ launcher: new ChildProcessLauncher(), services: [{ name: 'fake', entry: FAKE }], env: { PATH: process.env.PATH ?? '' }, stopTimeoutMs: 2000 });
    sup.on('line', (name, stream, line) => logs.ingestLine(name, line, stream));
    sup.start();
    await sup.waitReady();
    uiDir = mkdtempSync(join(tmpdir(), 'ui-'));
    mkdirSync(join(uiDir, 'assets'));
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(uiDir, 'assets', 'app-123.js'), 'console.log(1)');
    srv = await startControlServer({
      port: 0,
      token: TOKEN,
      api: { host: '127.0.0.1', port: api.port },
      rendererDir: uiDir,
      logs,
      processes: sup,
      stack,
      doctor: () => Promise.resolve({ ok: true, checks: [{ name: 'disk', ok: true }] }),
    });
  });

  afterAll(async () => {
    await srv?.close();
    await sup?.stop();
    api?.server.close();
    rmSync(uiDir, { recursive: true, force: true });
  });

  it('requires the bearer token on /control and /api, but not on the UI or health', async () => {
    expect((await http(srv.url, '/control/processes', { token: null })).status).toBe(401);
    expect((await http(srv.url, '/control/processes', { token: 'wrong' })).status).toBe(401);
    expect((await http(srv.url, '/api/users/u/topk', { token: null })).status).toBe(401);
    const r = await http(srv.url, '/control/processes', { token: null, headers: { authorization: 'Basic abc' } });
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'unauthorized', message: 'missing or wrong bearer token' } });
    expect((await http(srv.url, '/control/health', { token: null })).status).toBe(200);
    expect((await http(srv.url, '/', { token: null })).status).toBe(200);
  });

  it('accepts ?token= only for EventSource GETs', async () => {
    expect((await http(srv.url, `/control/logs?token=${TOKEN}`, { token: null })).status).toBe(401);
    const s = await sse(srv.url, `/control/logs/stream?token=${TOKEN}&tail=1`, (e) => e.length >= 1);
    expect(s.status).toBe(200);
    expect((await sse(srv.url, `/control/logs/stream?token=nope`, () => true)).status).toBe(401);
  });

  it('rejects foreign Host headers (DNS rebinding)', async () => {
    const r = await http(srv.url, '/control/processes', { headers: { host: 'evil.example:80' } });
    expect(r.status).toBe(421);
    expect((await http(srv.url, '/', { token: null, headers: { host: `localhost:${srv.port}` } })).status).toBe(200);
  });

  it('serves the UI with SPA fallback and refuses traversal', async () => {
    const index = await http(srv.url, '/users/alice/top', { token: null });
    expect(index.body).toContain('<title>app</title>');
    expect(index.headers['content-type']).toMatch(/text\/html/);
    const asset = await http(srv.url, '/assets/app-123.js', { token: null });
    expect(asset.body).toBe('console.log(1)');
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect((await http(srv.url, '/assets/missing.js', { token: null })).status).toBe(404);
    const trav = await http(srv.url, '/../../../../etc/passwd', { token: null });
    expect(trav.body).not.toContain('root:');
    expect((await http(srv.url, '/%2e%2e/%2e%2e/etc/passwd', { token: null })).body).not.toContain('root:');
  });

  it('shows a friendly page when the UI is not built', async () => {
    const bare = await startControlServer({ port: 0, token: TOKEN, api: { host: '127.0.0.1', port: api.port }, logs, processes: sup, stack });
    try {
      const r = await http(bare.url, '/', { token: null });
      expect(r.status).toBe(200);
      expect(r.body).toContain('npm run build');
      expect((await http(bare.url, '/control/doctor')).status).toBe(501);
    } finally {
      await bare.close();
    }
  });

  it('serves a UI built after it started, without a restart (the control plane looks the folder up per request)', async () => {
    // an app root whose UI is not built yet; before, the folder was resolved once at start
    const root = mkdtempSync(join(tmpdir(), 'app-'));
    const late = await startControlServer({ port: 0, token: TOKEN, api: { host: '127.0.0.1', port: api.port }, rendererDir: () => rendererDir(root), logs, processes: sup, stack });
    try {
      expect((await http(late.url, '/', { token: null })).body).toContain('npm run build');
      mkdirSync(join(root, 'dist', 'renderer'), { recursive: true });
      writeFileSync(join(root, 'dist', 'renderer', 'index.html'), '<!doctype html><title>built later</title>');
      const r = await http(late.url, '/', { token: null });
      expect(r.status).toBe(200);
      expect(r.body).toContain('built later');
    } finally {
      await late.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('lists processes and restarts one', async () => {
    const list = JSON.parse((await http(srv.url, '/control/processes')).body) as { processes: { name: string; state: string; pid: number; memoryRssBytes: number }[] };
    expect(list.processes).toHaveLength(1);
    expect(list.processes[0]).toMatchObject({ name: 'fake', state: 'running' });
    expect(list.processes[0]!.memoryRssBytes).toBeGreaterThan(0);
    const before = list.processes[0]!.pid;
    const r = await http(srv.url, '/control/processes/fake/restart', { method: 'POST' });
    expect(r.status).toBe(200);
    const after = JSON.parse(r.body) as { pid: number; restarts: number };
    expect(after.pid).not.toBe(before);
    expect(after.restarts).toBe(1);
    expect((await http(srv.url, '/control/processes/nope/restart', { method: 'POST' })).status).toBe(404);
  });

  it('queries, streams and exports logs', async () => {
    logs.ingest({ service: 'api', level: 'warn', msg: 'spec marker one' });
    const q = JSON.parse((await http(srv.url, '/control/logs?service=api&level=warn&q=marker')).body) as { entries: { msg: string }[] };
    expect(q.entries.map((e) => e.msg)).toEqual(['spec marker one']);
    const bad = await http(srv.url, '/control/logs?level=loud');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'invalid_level', field: 'level' } });
    expect((await http(srv.url, '/control/logs?limit=abc')).status).toBe(400);

    setTimeout(() => logs.ingest({ service: 'api', level: 'error', msg: 'spec live line' }), 100);
    const s = await sse(srv.url, '/control/logs/stream?service=api&tail=1', (e) => e.some((x) => x.includes('spec live line')), { authorization: `Bearer ${TOKEN}` });
    const msgs = s.events.map((e) => (JSON.parse(e) as { msg: string }).msg);
    expect(msgs).toEqual(['spec marker one', 'spec live line']);

    const ex = await http(srv.url, '/control/logs/export?format=text&service=api');
    expect(ex.headers['content-disposition']).toMatch(/attachment; filename="heavy-rotation-logs-.*\.log"/);
    expect(ex.body).toContain("WARN  [api] spec marker one");
    const nd = await http(srv.url, '/control/logs/export?service=fake');
    expect(nd.body.trim().split('\n').length).toBeGreaterThan(1);
    expect(nd.body).not.toContain(TOKEN);
  });

  it('runs stack operations and streams their progress', async () => {
    const follow = sse(srv.url, '/control/stack/progress', (e) => e.some((x) => x.includes('"ready"')), { authorization: `Bearer ${TOKEN}` });
    await new Promise((r) => setTimeout(r, 50));
    const r = await http(srv.url, '/control/stack/up', { method: 'POST' });
    expect(r.status).toBe(202);
    const events = (await follow).events.map((e) => (JSON.parse(e) as StackProgress).phase);
    expect(events).toEqual(['connecting', 'migrating', 'ready']);
    await new Promise((r) => setTimeout(r, 30));
    expect(JSON.parse((await http(srv.url, '/control/stack')).body)).toMatchObject({ phase: 'running' });
    const down = await http(srv.url, '/control/stack/down?wait=true', { method: 'POST' });
    expect(JSON.parse(down.body)).toMatchObject({ phase: 'stopped' });
    expect(JSON.parse((await http(srv.url, '/control/doctor')).body)).toMatchObject({ ok: true });
  });

  it('switches providers on request (the Stack page) and names the field when the provider is bad', async () => {
    upRequests.length = 0;
    const r = await http(srv.url, '/control/stack/up?provider=native&wait=true', { method: 'POST' });
    expect(r.status).toBe(200);
    expect(upRequests).toEqual(['native']);
    for (const [path, msg] of [
      ['/control/stack/up?provider=kubernetes', 'provider must be docker or native, got "kubernetes"'],
      ['/control/stack/down?provider=native', 'provider only goes with POST /control/stack/up'],
    ] as const) {
      const bad = await http(srv.url, path, { method: 'POST' });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body)).toEqual({ error: { code: 'invalid_provider', message: msg, field: 'provider' } });
    }
    expect(upRequests).toEqual(['native']);
  });

  describe('API proxy', () => {
    it('strips /api, swaps in the API token, forwards method, query and body', async () => {
      const r = await http(srv.url, '/api/v1/users/u1?x=1&token=leak', { method: 'PUT', body: '{"display_name":"A"}', headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(200);
      const echo = JSON.parse(r.body) as { method: string; url: string; auth: string; host: string; body: string };
      expect(echo).toMatchObject({ method: 'PUT', url: '/v1/users/u1?x=1', auth: `Bearer ${TOKEN}`, body: '{"display_name":"A"}', host: `127.0.0.1:${api.port}` });
    });

    it('passes status codes and headers through', async () => {
      const r = await http(srv.url, '/api/teapot');
      expect(r.status).toBe(418);
      expect(r.headers['x-custom']).toBe('yes');
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'teapot' } });
    });

    it('streams SSE bodies as they come', async () => {
      const t0 = Date.now();
      const times: number[] = [];
      const s = await sse(srv.url, `/api/stream?token=${TOKEN}`, (e) => {
        times.push(Date.now() - t0);
        return e.length >= 3;
      });
      expect(s.events).toEqual(['tick 0', 'tick 1', 'tick 2']);
      // first event arrives before the upstream finished (i.e. not buffered)
      expect(times[0]!).toBeLessThan(times.at(-1)!);
      const last = api.seen.at(-1)!;
      expect(last.url).toBe('/stream');
    });

    it('answers 502 JSON when the API is down', async () => {
      const dead = await startControlServer({ port: 0, token: TOKEN, api: { host: '127.0.0.1', port: 1 }, logs, processes: sup, stack });
      try {
        const r = await http(dead.url, '/api/healthz');
        expect(r.status).toBe(502);
        expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'api_unavailable' } });
      } finally {
        await dead.close();
      }
    });
  });
});
