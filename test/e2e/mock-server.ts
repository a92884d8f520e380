/**
 * A small stand-in for the control server, ONLY for screenshots while the real
 * backend is being built (`tsx test/e2e/mock-server.ts [port]`). The real e2e
 * suite runs against `npx topk serve`. Serves renderer/dist and canned
 * /control and /api answers with a little live behaviour (crawls add listens).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { githubAppStatus, parseClientId } from '../../main/auth/github-app';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const ROOT = join(import.meta.dirname, '../../renderer/dist');
const TOKEN = 'mock-token';

interface Track { song_id: string; title: string; artist: string }
const ARTISTS = ['Phoebe Bridgers', 'Khruangbin', 'Fontaines D.C.', 'Little Simz', 'Jon Hopkins', 'Arlo Parks', 'Bonobo', 'Big Thief', 'Caribou', 'Mitski', 'Floating Points', 'Men I Trust'];
const WORDS = ['Motion', 'Garden', 'Sugar', 'Kyoto', 'Night Drive', 'Evergreen', 'Glass', 'Afterglow', 'Slow Burn', 'Paper Moon', 'Satellite', 'Open Water', 'Saturday', 'Lantern', 'Velvet', 'Northern Lights', 'Tidal', 'Echoes', 'Wildflower', 'Parallel'];
const TRACKS: Track[] = [];
for (let i = 0; i < 60; i++) {
  TRACKS.push({ song_id: `mbid-${(i * 2654435761 % 0xffffffff).toString(16).padStart(8, '0')}-4c1e`, title: `${WORDS[i % WORDS.length]}${i >= WORDS.length ? ` (${['Live', 'Remix', 'Demo'][i % 3]})` : ''}`, artist: ARTISTS[(i * 7) % ARTISTS.length]! });
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 0x100000000);
}

interface MockUser { user_id: string; display_name: string | null; created_at: string; seed: number; plays: Map<string, number>; listens: { listened_at: number; song_id: string; source: string }[] }
const state = {
  scenario: 'running' as 'running' | 'firstrun' | 'pulling' | 'signedout' | 'cannotpull' | 'fellback',
  signedIn: true,
  /** client id of the GitHub OAuth App; none on a first run */
  githubClientId: null as string | null,
  users: new Map<string, MockUser>(),
  sources: new Map<string, { source: string; config: Record<string, unknown>; created_at: string; paused: boolean; interval: number; last_error?: string }[]>(),
  crawls: [] as { crawl_id: string; user_id: string; source: string; trigger: string; state: string; listens_fetched: number; listens_published: number; pages: number; error?: string; created_at: string; started_at?: string; finished_at?: string }[],
  pullStart: Date.now(),
};

function addUser(id: string, name: string | null, seed: number, listens: number): MockUser {
  const u: MockUser = { user_id: id, display_name: name, created_at: new Date(Date.now() - 3 * 86400_000).toISOString(), seed, plays: new Map(), listens: [] };
  state.users.set(id, u);
  addListens(u, listens);
  return u;
}
function addListens(u: MockUser, n: number): void {
  const r = rng(u.seed + u.listens.length);
  for (let i = 0; i < n; i++) {
    const idx = Math.floor(Math.pow(r(), 2.2) * TRACKS.length);
    const t = TRACKS[(idx + u.seed) % TRACKS.length]!;
    u.plays.set(t.song_id, (u.plays.get(t.song_id) ?? 0) + 1);
    u.listens.push({ listened_at: Date.now() - Math.floor(r() * 3 * 86400_000), song_id: t.song_id, source: 'simulator' });
  }
  u.listens.sort((a, b) => b.listened_at - a.listened_at);
}
function reset(scenario: string): void {
  state.users.clear();
  state.sources.clear();
  state.crawls = [];
  state.scenario = (scenario as typeof state.scenario) || 'running';
  // 'signedout': an OAuth App is configured, nobody signed in yet
  state.signedIn = scenario !== 'firstrun' && scenario !== 'signedout';
  state.githubClientId = scenario === 'firstrun' ? null : 'Ov23liMockClient0001';
  state.pullStart = Date.now();
  if (scenario === 'firstrun' || scenario === 'pulling' || scenario === 'empty' || scenario === 'cannotpull') return;
  const me = addUser('octocat', 'The Octocat', 7, 420);
  addUser('hubot', 'Hubot', 11, 250);
  addUser('demo-ada', 'Ada (demo)', 1000, 300);
  const now = Date.now();
  state.sources.set(me.user_id, [
    { source: 'simulator', config: { seed: 7, listens_per_day: 60 }, created_at: new Date(now - 2 * 86400_000).toISOString(), paused: false, interval: 900 },
    { source: 'listenbrainz', config: { username: 'octocat' }, created_at: new Date(now - 86400_000).toISOString(), paused: true, interval: 3600, last_error: 'ListenBrainz answered 429 Too Many Requests; retry after 60 s' },
  ]);
  const mk = (src: string, agoMin: number, st: string, n: number, trig = 'schedule', err?: string) =>
    state.crawls.push({ crawl_id: `c-${src}-${agoMin}`, user_id: me.user_id, source: src, trigger: trig, state: st, listens_fetched: n, listens_published: st === 'failed' ? 0 : n, pages: Math.ceil(n / 100), error: err, created_at: new Date(now - agoMin * 60_000).toISOString(), started_at: new Date(now - agoMin * 60_000 + 800).toISOString(), finished_at: st === 'running' ? undefined : new Date(now - agoMin * 60_000 + 4200).toISOString() });
  mk('simulator', 2, 'done', 58, 'manual');
  mk('simulator', 17, 'done', 61);
  mk('simulator', 32, 'done', 57);
  mk('listenbrainz', 65, 'failed', 0, 'schedule', 'ListenBrainz answered 429 Too Many Requests; retry after 60 s');
  mk('listenbrainz', 125, 'done', 212);
}
reset('running');

function topTracks(users: MockUser[], limit: number) {
  const m = new Map<string, number>();
  for (const u of users) for (const [k, v] of u.plays) m.set(k, (m.get(k) ?? 0) + v);
  const rows = [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { total: rows.length, results: rows.slice(0, limit).map(([song_id, listen_count], i) => ({ rank: i + 1, song_id, listen_count, title: TRACKS.find((t) => t.song_id === song_id)!.title, artist: TRACKS.find((t) => t.song_id === song_id)!.artist })) };
}
function topArtists(users: MockUser[], limit: number) {
  const m = new Map<string, number>();
  for (const u of users) for (const [k, v] of u.plays) { const a = TRACKS.find((t) => t.song_id === k)!.artist; m.set(a, (m.get(a) ?? 0) + v); }
  const rows = [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { total: rows.length, results: rows.slice(0, limit).map(([artist, listen_count], i) => ({ rank: i + 1, artist, listen_count })) };
}

function services() {
  const s = state.scenario;
  const up = s === 'running' || s === 'fellback';
  const mk = (name: string, endpoint: string, version: string) => ({ name, state: up ? 'running' : s === 'pulling' ? (name === 'redis' ? 'running' : 'starting') : 'absent', health: up ? 'healthy' : 'none', endpoint, uptimeSeconds: up ? 5423 : undefined, version: up ? version : undefined, detail: s === 'firstrun' ? 'Image not pulled yet' : undefined });
  const services = [mk('kafka', '127.0.0.1:9092', '3.9.1'), mk('cassandra', '127.0.0.1:9042', '5.0.6'), mk('redis', '127.0.0.1:6379', '7.4.2')];
  if (s === 'cannotpull') {
    const why = '(HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host';
    return { provider: 'docker', providerHow: 'auto', savedProvider: null, phase: 'error', errorCode: 'IMAGE_UNAVAILABLE', services,
      error: `the Docker engine does not have 3 images of the stack and cannot pull them: apache/kafka:3.9.1, cassandra:5.0, redis:7 (${why})\nconnect the Docker engine to a registry (internet, or its proxy settings) and run "topk stack up" again, make the images available locally (docker load / docker build), or use the native provider (--provider native)` };
  }
  if (s === 'fellback') return { provider: 'native', providerHow: 'saved', savedProvider: 'native', phase: 'running', error: null, errorCode: null, services };
  return { provider: 'docker', services };
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const t = Buffer.concat(chunks).toString();
  try { return t ? (JSON.parse(t) as Record<string, unknown>) : {}; } catch { return {}; }
}

const LOG_MSGS = [
  ['aggregator', 'info', 'batch committed'], ['crawler', 'info', 'crawl finished'], ['api', 'info', 'request completed'],
  ['kafka', 'info', '[Partition listens-0] Log loaded'], ['cassandra', 'warn', 'Compaction took longer than expected'], ['redis', 'info', 'Background saving terminated with success'],
  ['crawler', 'error', 'ListenBrainz answered 429; backing off 60 s'], ['aggregator', 'debug', 'fetched 500 messages'],
] as const;

const server = createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (p === '/__mock/reset') { reset(url.searchParams.get('scenario') ?? 'running'); return json(res, 200, { ok: true }); }
    if (p.startsWith('/api/') || p.startsWith('/control/')) {
      const auth = req.headers.authorization === `Bearer ${TOKEN}` || url.searchParams.get('token') === TOKEN;
      if (!auth) return json(res, 401, { error: { code: 'unauthorized', message: 'Missing or wrong bearer token' } });
    }
    const m = req.method ?? 'GET';
    let g: RegExpExecArray | null;
    // ---- control
    if (p === '/control/stack' && m === 'GET') return json(res, 200, services());
    if (p === '/control/stack/up' || p === '/control/stack/down') return json(res, 202, { ok: true });
    if (p === '/control/stack/progress') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      if (state.scenario === 'pulling') {
        const total = { kafka: 412_000_000, cassandra: 356_000_000 };
        const f = Math.min(0.95, (Date.now() - state.pullStart) / 60000 + 0.37);
        res.write(`event: progress\ndata: ${JSON.stringify({ service: 'kafka', phase: 'pull', message: 'Pulling apache/kafka:3.9.1', bytesDone: Math.round(total.kafka * f), bytesTotal: total.kafka, percent: f * 100 })}\n\n`);
        res.write(`event: progress\ndata: ${JSON.stringify({ service: 'cassandra', phase: 'pull', message: 'Pulling cassandra:5.0.6', bytesDone: Math.round(total.cassandra * f * 0.6), bytesTotal: total.cassandra, percent: f * 60 })}\n\n`);
        res.write(`event: progress\ndata: ${JSON.stringify({ service: 'redis', phase: 'ready', message: 'Redis is ready' })}\n\n`);
      }
      const t = setInterval(() => res.write(': ping\n\n'), 15000);
      req.on('close', () => clearInterval(t));
      return;
    }
    if (p === '/control/processes') {
      if (state.scenario !== 'running') return json(res, 200, { processes: [] });
      const mk = (name: string, pid: number, restarts: number, mem: number, lastError: string | null = null) => ({ name, state: 'running', pid, startedAt: new Date().toISOString(), uptimeSeconds: 5300 - restarts * 700, restarts, recentCrashes: 0, memoryRssBytes: mem, lastExitCode: restarts ? 1 : null, lastSignal: null, lastError, nextRestartAt: null });
      return json(res, 200, { processes: [mk('crawler', 48211, 0, 96_468_992), mk('aggregator', 48212, 1, 131_203_072, 'KafkaJSNumberOfRetriesExceeded: connection refused (during broker restart)'), mk('api', 48213, 0, 88_342_528)] });
    }
    if ((g = /^\/control\/processes\/([^/]+)\/restart$/.exec(p))) return json(res, 202, { ok: true });
    if (p === '/control/doctor') {
      const fr = state.scenario === 'firstrun';
      return json(res, 200, { ok: true, provider: 'docker', nativeUsable: state.scenario === 'cannotpull' || state.scenario === 'fellback', checks: [
        { id: 'docker', title: 'Docker engine', status: 'ok', detail: 'Docker 27.3.1 answering on /var/run/docker.sock' },
        { id: 'ports', title: 'Ports 9092, 9042, 6379, 8080 free', status: fr ? 'ok' : 'ok', detail: fr ? 'All free' : 'In use by the running stack' },
        { id: 'disk', title: 'Disk space', status: 'ok', detail: '48.2 GB free in the data folder' },
        ...(state.scenario === 'cannotpull' || state.scenario === 'fellback'
          ? [{ id: 'java', title: 'Java 17+', status: 'ok', detail: 'Java 17.0.15 (/usr/bin/java)' }, { id: 'redis-server', title: 'redis-server', status: 'ok', detail: 'version 7.0.15 (/usr/bin/redis-server)' }]
          : [
              { id: 'java', title: 'Java 17+ (native provider only)', status: 'warn', detail: 'Java not found', fix: 'Only needed without Docker: install OpenJDK 17, e.g. `sudo apt install openjdk-17-jre-headless`.' },
              { id: 'redis-server', title: 'redis-server (native provider only)', status: 'warn', detail: 'redis-server not on PATH', fix: 'Only needed without Docker: `sudo apt install redis-server`.' },
            ]),
      ] });
    }
    if (p === '/control/auth' && m === 'GET') {
      const accounts = state.signedIn ? [{ user_id: 'octocat', login: 'octocat', name: 'The Octocat', avatar_url: '', active: true }, { user_id: 'hubot', login: 'hubot', name: 'Hubot', avatar_url: '', active: false }] : [];
      return json(res, 200, { accounts, active_user_id: state.signedIn ? 'octocat' : null });
    }
    if (p === '/control/auth/github-app') {
      if (m === 'PUT') {
        try {
          state.githubClientId = parseClientId((await body(req)).client_id);
        } catch (e) {
          return json(res, 400, { error: { code: 'invalid_client_id', message: (e as Error).message, field: 'client_id' } });
        }
      }
      return json(res, 200, githubAppStatus(state.githubClientId ?? undefined, false, 'https://github.com'));
    }
    if (p === '/control/auth/device' && m === 'POST') return json(res, 200, { user_code: 'WDJB-MJHT', verification_uri: 'https://github.com/login/device', expires_in: 899, interval: 5, expires_at: new Date(Date.now() + 899_000).toISOString() });
    if (p === '/control/auth/device' && m === 'GET') return json(res, 200, { user_code: 'WDJB-MJHT', verification_uri: 'https://github.com/login/device', expires_at: new Date(Date.now() + 800_000).toISOString(), interval: 5, state: 'pending' });
    if (p === '/control/logs') {
      const lines = Array.from({ length: 400 }, (_, i) => { const [service, level, msg] = LOG_MSGS[i % LOG_MSGS.length]!; return { seq: i, time: new Date(Date.now() - (400 - i) * 1500).toISOString(), service, level, msg, fields: service === 'aggregator' ? { listens: 480 + i, duplicates: i % 5, partition: i % 3 } : {} }; });
      return json(res, 200, { lines });
    }
    if (p === '/control/logs/stream') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      let i = 0;
      const line = (t: number) => { const [service, level, msg] = LOG_MSGS[(i * 5) % LOG_MSGS.length]!; const f = service === 'aggregator' ? { listens: 480 + i, duplicates: i % 5, partition: i % 3 } : service === 'api' ? { method: 'GET', url: '/v1/users/octocat/top/tracks', statusCode: 200, ms: 3 + (i % 7) } : {}; return `event: log\nid: ${i}\ndata: ${JSON.stringify({ seq: i++, time: new Date(t).toISOString(), service, level, msg, fields: f })}\n\n`; };
      for (let k = 0; k < 3000; k++) res.write(line(Date.now() - (3000 - k) * 900));
      const t = setInterval(() => res.write(line(Date.now())), 700);
      req.on('close', () => clearInterval(t));
      return;
    }
    // ---- api
    if (p === '/api/v1/users' && m === 'GET') return json(res, 200, { users: [...state.users.values()].map((u) => ({ user_id: u.user_id, display_name: u.display_name, created_at: u.created_at })) });
    if ((g = /^\/api\/v1\/users\/([^/]+)$/.exec(p)) && m === 'PUT') {
      const b = await body(req);
      const id = decodeURIComponent(g[1]!);
      if (!state.users.has(id)) addUser(id, (b.display_name as string) ?? null, id.length * 31, 0);
      await new Promise((r) => setTimeout(r, 40));
      return json(res, 201, { user_id: id });
    }
    if ((g = /^\/api\/v1\/users\/([^/]+)\/sources\/([^/]+)$/.exec(p)) && m === 'PUT') {
      const b = await body(req);
      const id = decodeURIComponent(g[1]!);
      const list = state.sources.get(id) ?? [];
      if (!list.some((s) => s.source === g![2])) list.push({ source: g[2]!, config: b, created_at: new Date().toISOString(), paused: false, interval: 900 });
      state.sources.set(id, list);
      const u = state.users.get(id);
      if (u && g[2] === 'simulator') { u.seed = Number(b.seed ?? 1); }
      return json(res, 201, {});
    }
    if ((g = /^\/api\/v1\/users\/([^/]+)\/sources$/.exec(p))) {
      const id = decodeURIComponent(g[1]!);
      const now = Date.now();
      return json(res, 200, { sources: (state.sources.get(id) ?? []).map((s) => ({ user_id: id, source: s.source, config: s.config, created_at: s.created_at, schedule: { user_id: id, source: s.source, interval_seconds: s.interval, paused: s.paused, next_run_at: s.paused ? null : new Date(now + 13 * 60_000).toISOString(), state: 'idle', last_run_at: new Date(now - 2 * 60_000).toISOString(), last_error: s.last_error ?? null } })) });
    }
    if ((g = /^\/api\/v1\/users\/([^/]+)\/sources\/([^/]+)\/schedule$/.exec(p))) {
      const b = await body(req);
      const s = state.sources.get(decodeURIComponent(g[1]!))?.find((x) => x.source === g![2]);
      if (s) { if (typeof b.paused === 'boolean') s.paused = b.paused; if (typeof b.interval_seconds === 'number') s.interval = b.interval_seconds; }
      return json(res, 200, {});
    }
    if ((g = /^\/api\/v1\/users\/([^/]+)\/crawls$/.exec(p))) {
      const id = decodeURIComponent(g[1]!);
      if (m === 'POST') {
        const b = await body(req);
        const c = { crawl_id: `c-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`, user_id: id, source: String(b.source), trigger: (b.trigger as string) ?? 'manual', state: 'running', listens_fetched: 0, listens_published: 0, pages: 0, created_at: new Date().toISOString(), started_at: new Date().toISOString() } as (typeof state.crawls)[number];
        state.crawls.unshift(c);
        setTimeout(() => { const u = state.users.get(id); const n = 40 + Math.floor(Math.random() * 30); if (u) addListens(u, n); c.state = 'done'; c.listens_fetched = n; c.listens_published = n; c.pages = 1; c.finished_at = new Date().toISOString(); }, 2500);
        return json(res, 202, { crawl_id: c.crawl_id });
      }
      return json(res, 200, { crawls: state.crawls.filter((c) => c.user_id === id) });
    }
    if ((g = /^\/api\/v1\/(?:users\/([^/]+)\/(friends\/)?)?top\/(tracks|artists)\/movement$/.exec(p))) {
      const id = g[1] ? decodeURIComponent(g[1]) : null;
      const limit = Number(url.searchParams.get('limit') ?? 10);
      const days = Number(url.searchParams.get('days') ?? 7);
      const us = !id ? [...state.users.values()] : g[2] ? [...state.users.values()].filter((x) => x.user_id !== id).slice(0, 2) : state.users.get(id) ? [state.users.get(id)!] : [];
      const r = g[3] === 'tracks' ? topTracks(us, limit) : topArtists(us, limit);
      const to = new Date().toISOString().slice(0, 10);
      const from = new Date(Date.now() - (days - 1) * 86400_000).toISOString().slice(0, 10);
      const covered = days * 2 <= 7;
      const results = r.results.map((row, i) => {
        const prev = (i * 7 + 3) % 13 === 0 ? null : Math.max(1, row.rank + (((i * 5) % 7) - 3));
        return covered ? { ...row, previous_rank: prev, change: prev === null ? 'new' : prev > row.rank ? 'up' : prev < row.rank ? 'down' : 'same', delta: prev === null ? null : prev - row.rank } : { ...row, previous_rank: null, change: null, delta: null };
      });
      const prevFrom = new Date(Date.now() - (2 * days - 1) * 86400_000).toISOString().slice(0, 10);
      const prevTo = new Date(Date.now() - days * 86400_000).toISOString().slice(0, 10);
      return json(res, 200, { user_id: id ?? undefined, kind: g[3], days, from, to, limit, offset: 0, total: r.total, covered, previous: covered ? { from: prevFrom, to: prevTo, total: r.total } : null, reason: covered ? undefined : `the ${days} days before ${from} start on ${prevFrom}, before the oldest day kept (7-day retention)`, results });
    }
    if ((g = /^\/api\/v1\/users\/([^/]+)\/(activity|heatmap|discoveries)$/.exec(p))) {
      const id = decodeURIComponent(g[1]!);
      const days = Number(url.searchParams.get('days') ?? 7);
      const dayList = Array.from({ length: days }, (_, i) => new Date(Date.now() - (days - 1 - i) * 86400_000).toISOString().slice(0, 10));
      const perDay = (u: MockUser | undefined) => { const m = new Map<string, number>(); for (const l of u?.listens ?? []) { const d = new Date(l.listened_at).toISOString().slice(0, 10); m.set(d, (m.get(d) ?? 0) + 1); } return m; };
      const me = state.users.get(id);
      const base = { user_id: id, from: dayList[0], to: dayList[dayList.length - 1], days };
      if (g[2] === 'activity') {
        const friends = [...state.users.values()].filter((x) => x.user_id !== id).slice(0, 2);
        const mine = perDay(me);
        const fr = friends.map(perDay);
        const all = [...state.users.values()].map(perDay);
        const series = dayList.map((day) => ({ day, mine: mine.get(day) ?? 0, friends: fr.reduce((s, m) => s + (m.get(day) ?? 0), 0), everyone: all.reduce((s, m) => s + (m.get(day) ?? 0), 0) }));
        const sum = (k: 'mine' | 'friends' | 'everyone') => series.reduce((s, x) => s + x[k], 0);
        return json(res, 200, { ...base, friends: friends.length, series, totals: { mine: sum('mine'), friends: sum('friends'), everyone: sum('everyone') } });
      }
      if (g[2] === 'heatmap') {
        const tz = url.searchParams.get('tz') ?? 'UTC';
        const cells = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
        const r = rng(99);
        // the mock's listens are spread evenly over three days: give the picture a human rhythm
        for (let i = 0; i < 900; i++) { const h = Math.floor(r() < 0.7 ? 7 + r() * 4 + (r() < 0.5 ? 10 : 0) : r() * 24) % 24; const d = Math.floor(r() * 7); cells[d]![h]! += d >= 5 ? (h > 9 ? 2 : 0) : 1; }
        const flat = cells.flat();
        return json(res, 200, { ...base, tz, total: flat.reduce((a, b) => a + b, 0), max: Math.max(...flat), cells });
      }
      const tracks = [...(me?.plays ?? new Map<string, number>())].filter((_, i) => i % 3 === 0).sort((a, b) => b[1] - a[1]).slice(0, 10);
      return json(res, 200, {
        ...base, known_from: new Date(Date.now() - 6 * 86400_000).toISOString().slice(0, 10), history_days: 7 - days, total_tracks: tracks.length, total_artists: 3,
        tracks: tracks.map(([song_id, n], i) => ({ song_id, title: TRACKS.find((t) => t.song_id === song_id)!.title, artist: TRACKS.find((t) => t.song_id === song_id)!.artist, first_day: dayList[Math.max(0, dayList.length - 1 - (i % 3))], listen_count: n })),
        artists: ['Caribou', 'Arlo Parks', 'Men I Trust'].map((artist, i) => ({ artist, first_day: dayList[Math.max(0, dayList.length - 1 - i)], listen_count: 14 - i * 4 })),
      });
    }
    if ((g = /^\/api\/v1\/users\/([^/]+)\/(friends\/)?top\/(tracks|artists)$/.exec(p))) {
      const id = decodeURIComponent(g[1]!);
      const u = state.users.get(id);
      const limit = Number(url.searchParams.get('limit') ?? 10);
      const days = url.searchParams.get('days');
      if (days && Number(days) > 7) return json(res, 400, { error: { code: 'bad_request', message: 'days must be between 1 and 7 (TOPK_RETENTION_DAYS)', field: 'days' } });
      const us = g[2] ? [...state.users.values()].filter((x) => x.user_id !== id).slice(0, 2) : u ? [u] : [];
      const r = g[3] === 'tracks' ? topTracks(us, limit) : topArtists(us, limit);
      return json(res, 200, { user_id: id, days: Number(days ?? 7), limit, offset: 0, ...r, last_updated: new Date().toISOString() });
    }
    if ((g = /^\/api\/v1\/top\/(tracks|artists)$/.exec(p))) {
      const limit = Number(url.searchParams.get('limit') ?? 10);
      const r = g[1] === 'tracks' ? topTracks([...state.users.values()], limit) : topArtists([...state.users.values()], limit);
      return json(res, 200, { limit, offset: 0, ...r });
    }
    if ((g = /^\/api\/v1\/users\/([^/]+)\/listens$/.exec(p))) {
      const u = state.users.get(decodeURIComponent(g[1]!));
      const limit = Number(url.searchParams.get('limit') ?? 20);
      return json(res, 200, { listens: (u?.listens ?? []).slice(0, limit).map((l) => ({ ...l, ...TRACKS.find((t) => t.song_id === l.song_id)! })) });
    }
    if ((g = /^\/api\/v1\/users\/([^/]+)\/imports$/.exec(p))) {
      let n = 0;
      for await (const c of req) n += (c as Buffer).length;
      return json(res, 200, { crawl_id: 'imp-1', format: 'listenbrainz-jsonl', lines_read: 1284, listens_accepted: 1261, skipped: 23, skipped_reasons: { missing_listened_at: 15, invalid_json: 6, missing_track_name: 2 }, state: 'done', bytes: n });
    }
    // ---- inspect
    if (p === '/control/inspect/kafka') {
      const parts = (n: number, base: number) => Array.from({ length: n }, (_, i) => ({ partition: i, leader: 1, replicas: [1], isr: [1], start_offset: '0', end_offset: String(base + i * 137), messages: base + i * 137 }));
      return json(res, 200, {
        topics: [
          { name: 'listens', partitions: parts(6, 4210), replication_factor: 1, messages: 27315 },
          { name: 'listens.dlq', partitions: parts(1, 3), replication_factor: 1, messages: 3 },
        ],
        groups: [{ group_id: 'topk-aggregator', state: 'Stable', members: 1, total_lag: 12, lag: Array.from({ length: 6 }, (_, i) => ({ topic: 'listens', partition: i, committed: String(4210 + i * 137 - (i === 2 ? 12 : 0)), end_offset: String(4210 + i * 137), lag: i === 2 ? 12 : 0 })) }],
      });
    }
    if ((g = /^\/control\/inspect\/kafka\/topics\/([^/]+)\/messages$/.exec(p))) {
      const dlq = g[1]!.includes('dlq');
      const messages = Array.from({ length: dlq ? 3 : 8 }, (_, i) => {
        const t = TRACKS[i * 3]!;
        const value = dlq ? { v: 1, user_id: 'octocat', source: 'simulator', listened_at: 'yesterday', song_id: t.song_id } : { v: 1, user_id: 'octocat', source: 'simulator', listened_at: Date.now() - i * 60000, song_id: t.song_id, title: t.title, artist: t.artist, crawl_id: 'c-simulator-2', published_at: Date.now() - 5000 };
        return { partition: i % 6, offset: String(4400 - i), timestamp: new Date(Date.now() - i * 61000).toISOString(), key: 'octocat', headers: dlq ? { reason: 'listened_at must be an integer (ms)' } : {}, value, reason: dlq ? 'listened_at must be an integer (ms)' : undefined };
      });
      return json(res, 200, { messages });
    }
    if (p === '/control/inspect/cassandra/keyspaces') {
      const c = (name: string, type: string, kind = 'regular') => ({ name, type, kind });
      return json(res, 200, { keyspaces: [{ name: 'topk', tables: [
        { name: 'aggregator_intents_by_stream', columns: [c('stream', 'text', 'partition_key'), c('kafka_partition', 'int', 'partition_key'), c('batch_id', 'timeuuid', 'clustering'), c('user_days', 'set<text>'), c('created_at', 'timestamp')] },
        { name: 'crawls', columns: [c('crawl_id', 'text', 'partition_key'), c('user_id', 'text'), c('source', 'text'), c('state', 'text')] },
        { name: 'daily_counts', columns: [c('user_id', 'text', 'partition_key'), c('day', 'date', 'partition_key'), c('song_id', 'text', 'clustering'), c('listen_count', 'counter')] },
        { name: 'listens', columns: [c('user_id', 'text', 'partition_key'), c('day', 'date', 'partition_key'), c('listened_at', 'timestamp', 'clustering'), c('song_id', 'text', 'clustering'), c('source', 'text', 'clustering'), c('title', 'text'), c('artist', 'text'), c('crawl_id', 'text')] },
        { name: 'tracks', columns: [c('song_id', 'text', 'partition_key'), c('title', 'text'), c('artist', 'text')] },
        { name: 'user_day_totals', columns: [c('user_id', 'text', 'partition_key'), c('day', 'date', 'clustering'), c('plays', 'counter')] },
        { name: 'users', columns: [c('user_id', 'text', 'partition_key'), c('display_name', 'text'), c('created_at', 'timestamp')] },
      ] }] });
    }
    if (/^\/control\/inspect\/cassandra\/keyspaces\/[^/]+\/tables\/[^/]+\/rows$/.test(p) || p === '/control/inspect/cassandra/query') {
      if (m === 'POST') { const b = await body(req); if (!/^\s*select\b/i.test(String(b.cql))) return json(res, 400, { error: { code: 'not_select', message: 'Only a single SELECT statement is allowed', field: 'cql' } }); }
      const u = state.users.get('octocat');
      const rows = (u?.listens ?? []).slice(0, 12).map((l) => { const t = TRACKS.find((x) => x.song_id === l.song_id)!; return { user_id: 'octocat', day: new Date(l.listened_at).toISOString().slice(0, 10), listened_at: new Date(l.listened_at).toISOString(), song_id: l.song_id, source: l.source, title: t.title, artist: t.artist, crawl_id: 'c-simulator-2' }; });
      return json(res, 200, { columns: ['user_id', 'day', 'listened_at', 'song_id', 'source', 'title', 'artist', 'crawl_id'], rows, page_state: 'abc', elapsed_ms: 4 });
    }
    if (p === '/control/inspect/redis/keys') {
      const keys = [
        { key: 'topk:stats', type: 'hash', ttl: -1 }, { key: 'topk:cache:top:tracks:octocat:7:10', type: 'string', ttl: 281 }, { key: 'topk:cache:top:artists:octocat:7:10', type: 'string', ttl: 140 },
        { key: 'topk:cache:global:tracks:7:10', type: 'string', ttl: 297 }, { key: 'bull:topk-crawl:meta', type: 'hash', ttl: -1 }, { key: 'bull:topk-crawl:completed', type: 'zset', ttl: -1 },
        { key: 'bull:topk-crawl:events', type: 'stream', ttl: -1 }, { key: 'bull:topk-crawl:id', type: 'string', ttl: -1 },
      ];
      return json(res, 200, { keys, cursor: '0' });
    }
    if (p === '/control/inspect/redis/key') {
      return json(res, 200, { key: url.searchParams.get('key'), type: 'hash', ttl: -1, length: 8, value: { listens_ingested: '27315', duplicates_dropped: '412', dlq_total: '3', expired_dropped: '0', batches: '96', crawls_done: '143', crawls_failed: '2', listens_fetched: '27727' } });
    }
    if (p === '/control/inspect/redis/queues') return json(res, 200, { queues: [{ name: 'topk-crawl', counts: { waiting: 0, active: 1, delayed: 38, completed: 143, failed: 2, paused: 0 } }] });
    if (p.startsWith('/api/') || p.startsWith('/control/')) return json(res, 404, { error: { code: 'not_found', message: `No route ${m} ${p}` } });
    // ---- static
    const file = normalize(join(ROOT, p === '/' ? 'index.html' : p));
    if (!file.startsWith(ROOT)) return json(res, 403, {});
    try {
      const data = await readFile(file);
      const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
      res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  })();
});

const port = Number(process.argv[2] ?? 7899);
server.listen(port, '127.0.0.1', () => console.log(`mock ready http://127.0.0.1:${port}/#token=${TOKEN}`));
