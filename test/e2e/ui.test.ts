/**
 * The UI end to end: Debian's Chromium (playwright-core) against `topk serve`
 * on the real stack and the strict GitHub fake.
 *
 * first run → stack screen shows ready services → sign in with the device
 * flow (the test approves on the fake, as the person at the browser) → header
 * shows the account → load demo users → connect the simulator for the
 * signed-in account and crawl → "Mine" chart equals the counts computed
 * independently from the simulator (window ∩ the crawl's cursor range,
 * deduped) → a second crawl with another listening volume → the open chart
 * changes to the new answer without a reload → two people the account follows
 * on GitHub sign in on this app too (Add account) → the Friends view equals
 * their plays and the Everyone view (tracks and artists) everyone's, both
 * ranked by the test from the raw listens in Cassandra. Logs and the Kafka,
 * Cassandra and Redis views show this run's data. Screenshots of each screen at 1280×800 and 1920×1080 go to
 * test-results/e2e/ (not committed).
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateListens } from '../../engine/crawler/sources/simulator';
import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import { loadConfig } from '../../engine/shared/config';
import { startGitHubFake } from '../fakes/github-fake';
import type { GitHubFake } from '../fakes/github-fake';
import { until } from '../helpers/until';
import { crawlQueueName } from '../../engine/crawler/crawl-queue';
import { axeViolations, formatFindings } from './axe';
import { expectedArtists, expectedTracks, firstDifference, rawListens, shownRows, windowDays } from './raw-rankings';
import type { ChartRow, RawListen } from './raw-rankings';
import { removeServeTestData, serveTestEnv } from '../helpers/serve-env';

const ROOT = join(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'test-results', 'e2e');
const DAY = 86_400_000;
const tag = randomBytes(4).toString('hex');
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];
const LOGIN = `octo-${tag}`;
const SEED = 4242;
const LPD1 = 120;
const LPD2 = 260;
const DEMO_USERS = 4;
/**
 * Whom LOGIN follows on GitHub: two demo users who also sign in to this app with GitHub (friends:
 * app users with the same GitHub identity), demo-dmitri (an app user by name only — the demo loader
 * made it, nobody signed in as it: no friend) and GHOSTS accounts that never use the app, so the
 * follow list takes two pages of GitHub's 100 and demo-bruno, last, is on the second. demo-chiara has
 * listens and is not followed.
 */
const FRIENDS = [
  { id: 7_100_001, login: 'demo-ada', name: 'Ada' },
  { id: 7_100_002, login: 'demo-bruno', name: 'Bruno' },
];
const GHOSTS = Array.from({ length: 110 }, (_, i) => ({ id: 7_200_000 + i, login: `ghost-${i}`, name: null }));
const NOT_SIGNED_IN = { id: 7_100_004, login: 'demo-dmitri', name: 'Dmitri' };
const FOLLOWING = [FRIENDS[0]!.login, ...GHOSTS.map((g) => g.login), NOT_SIGNED_IN.login, FRIENDS[1]!.login];

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** renderer/dist is what the control server serves first: rebuild it when the sources are newer. */
function ensureRendererBuilt(): void {
  const index = join(ROOT, 'renderer', 'dist', 'index.html');
  let built = 0;
  try {
    built = statSync(index).mtimeMs;
  } catch {
    /* not built */
  }
  const src = Math.max(newestMtime(join(ROOT, 'renderer', 'src')), statSync(join(ROOT, 'renderer', 'index.html')).mtimeMs, statSync(join(ROOT, 'renderer', 'vite.config.ts')).mtimeMs);
  if (built > src) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'renderer', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

/** What the "Mine" chart must show: song_id → plays, from the simulator itself. */
function expectedCounts(parts: { lpd: number; to: number }[], windowDays: number): Map<string, { count: number; title: string; artist: string }> {
  const from = Math.floor(Date.now() / DAY) * DAY - (windowDays - 1) * DAY;
  const seen = new Set<string>();
  const out = new Map<string, { count: number; title: string; artist: string }>();
  for (const p of parts) {
    for (const l of generateListens(SEED, LOGIN, from, p.to, { listensPerDay: p.lpd })) {
      const id = `${l.listened_at}|${l.song_id}`; // identity within one user and source
      if (seen.has(id)) continue;
      seen.add(id);
      const e = out.get(l.song_id) ?? { count: 0, title: l.title, artist: l.artist };
      e.count++;
      out.set(l.song_id, e);
    }
  }
  return out;
}

/** Plays per UTC day of the signed-in user, from the simulator itself (same dedupe as expectedCounts). */
function expectedPerDay(parts: { lpd: number; to: number }[], windowDays: number): Map<string, number> {
  const from = Math.floor(Date.now() / DAY) * DAY - (windowDays - 1) * DAY;
  const seen = new Set<string>();
  const out = new Map<string, number>();
  for (const p of parts) {
    for (const l of generateListens(SEED, LOGIN, from, p.to, { listensPerDay: p.lpd })) {
      const id = `${l.listened_at}|${l.song_id}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const day = new Date(l.listened_at).toISOString().slice(0, 10);
      out.set(day, (out.get(day) ?? 0) + 1);
    }
  }
  return out;
}

interface UiRow {
  key: string;
  title: string;
  count: number;
}

async function chartRows(page: Page): Promise<UiRow[]> {
  return page.$$eval('ol[aria-label="Top tracks"] > li', (lis) =>
    lis.map((li) => ({
      key: li.getAttribute('data-key') ?? '',
      title: li.querySelector('.title')?.textContent?.trim() ?? '',
      count: Number((li.querySelector('.count')?.textContent ?? '').replace(/[^\d]/g, '')),
    })),
  );
}

/** Null when the rows are exactly the expected top N (ties in any order); else why not. */
function mismatch(rows: UiRow[], expected: Map<string, { count: number; title: string }>, n: number): string | null {
  const want = [...expected.values()].map((e) => e.count).sort((a, b) => b - a).slice(0, n);
  if (rows.length !== want.length) return `${rows.length} rows, expected ${want.length}`;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const e = expected.get(r.key);
    if (!e) return `row ${i + 1} ${r.key} is not an expected song`;
    if (e.count !== r.count) return `row ${i + 1} ${r.title}: ${r.count} plays, expected ${e.count}`;
    if (r.count !== want[i]) return `row ${i + 1}: ${r.count} plays where the ranking needs ${want[i]}`;
    if (e.title !== r.title) return `row ${i + 1}: title ${r.title}, expected ${e.title}`;
  }
  return null;
}

describe('UI end to end (Chromium, topk serve, GitHub fake)', () => {
  let github: GitHubFake;
  let dataDir: string;
  let serveEnv: Record<string, string> = {};
  let serve: ChildProcess;
  let out = '';
  let exitCode: number | null | undefined;
  let base = '';
  let token = '';
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let db: CassandraClient;
  const pageErrors: string[] = [];
  /** the simulator crawls of the signed-in user so far, for independent expectations */
  const crawlParts: { lpd: number; to: number }[] = [];
  const failedCrawls: string[] = [];

  async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async function cursorOf(user: string): Promise<number | null> {
    const rs = await db.execute('SELECT cursor FROM crawl_schedule WHERE user_id = ? AND source = ?', [user, 'simulator']);
    const c = rs.first()?.get('cursor') as string | null | undefined;
    return c ? Number(c) : null;
  }

  async function idle(user: string): Promise<void> {
    await until(
      `crawls of ${user} finished`,
      async () => {
        const r = await call<{ crawls: { crawl_id: string; state: string; trigger: string; error?: string }[] }>('GET', `/api/v1/users/${user}/crawls?limit=20`);
        for (const c of r.body.crawls) if (c.state === 'failed' && !failedCrawls.some((f) => f.includes(c.crawl_id))) failedCrawls.push(`${user} ${c.trigger} crawl ${c.crawl_id}: ${c.error ?? 'no error recorded'}`);
        // the expectations follow the cursor, which only moves over published pages, so a failed crawl cannot skew them
        return r.body.crawls.some((c) => c.state === 'done') && r.body.crawls.every((c) => c.state === 'done' || c.state === 'failed');
      },
      240_000,
    );
    await until('consumer lag 0', async () => (await call<{ consumer_lag: number }>('GET', '/api/v1/pipeline')).body.consumer_lag === 0, 240_000, 1000);
  }

  async function go(route: string, search = ''): Promise<void> {
    await page.goto(`${base}/${search}#/${route}`);
    await page.waitForLoadState('domcontentloaded');
  }

  /**
   * The open ranked list settles on the rows `want` computes from the raw listens of the 7-day
   * window: page, listens, page again, and all three agree (new listens may land in between).
   */
  async function settlesOn(what: string, list: 'Top tracks' | 'Top artists', want: (listens: RawListen[]) => ChartRow[]): Promise<ChartRow[]> {
    return until(
      what,
      async () => {
        await page.locator(`ol[aria-label="${list}"] > li`).first().waitFor({ timeout: 15_000 });
        const before = await shownRows(page, list);
        const expected = want(await rawListens(db, windowDays(7)));
        const after = await shownRows(page, list);
        const why = firstDifference(after, expected);
        if (why) throw new Error(why);
        return firstDifference(before, expected) === null && expected;
      },
      120_000,
      1500,
    );
  }

  /** Light and dark, both sizes. */
  async function shootSchemes(name: string): Promise<void> {
    await shoot(name);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(`${name}-dark`);
    await page.emulateMedia({ colorScheme: 'light' });
  }

  /** Both sizes; the page is resized back to 1280×800 afterwards. */
  async function shoot(name: string, settle = 600): Promise<void> {
    for (const size of [...SIZES].reverse()) {
      await page.setViewportSize(size);
      await page.waitForTimeout(settle);
      await page.screenshot({ path: join(OUT, `${name}-${size.width}x${size.height}.png`) });
    }
  }

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    ensureRendererBuilt();
    github = await startGitHubFake({
      interval: 1,
      users: [{ id: 90_000 + parseInt(tag.slice(0, 4), 16), login: LOGIN, name: 'Octo Cat', following: FOLLOWING }, ...FRIENDS, NOT_SIGNED_IN, ...GHOSTS],
    });
    serveEnv = {
      ...(await serveTestEnv('e2e', tag)),
      // own Redis database: the pipeline stats hash and the cache keys have fixed names, shared with
      // any other `topk serve` on the same Redis
      TOPK_REDIS_URL: `${(process.env.TOPK_REDIS_URL ?? 'redis://127.0.0.1:6379').replace(/\/\d*$/, '')}/${1 + (parseInt(tag, 16) % 15)}`,
      TOPK_GITHUB_URL: github.url,
      TOPK_GITHUB_API_URL: github.url,
      TOPK_GITHUB_CLIENT_ID: 'Iv1.fakeclient',
    };
    dataDir = serveEnv.TOPK_DATA_DIR!;
    const env: NodeJS.ProcessEnv = { ...process.env, ...serveEnv };
    delete env.TOPK_API_TOKEN;
    delete env.NODE_OPTIONS;
    // node, not npx: npx does not forward SIGTERM
    serve = spawn(process.execPath, [join(ROOT, 'bin', 'topk.mjs'), 'serve', '--provider', 'external'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    serve.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    serve.on('exit', (code) => (exitCode = code));
    const url = await until('ready line', () => Promise.resolve(/^ready (\S+)$/m.exec(out)?.[1] ?? (exitCode !== undefined ? Promise.reject(new Error(`serve exited ${exitCode}:\n${out}`)) : undefined)), 240_000, 200);
    base = url.replace(/\/$/, '');
    token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    db = createCassandra(loadConfig({ env: { ...process.env, ...serveEnv }, persistToken: false }), pino({ level: 'silent' }));
    await db.connect();

    browser = await chromium.launch({
      executablePath: process.env.TOPK_E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    ctx = await browser.newContext({ viewport: SIZES[0], colorScheme: 'light', acceptDownloads: true });
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 300_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (serve && exitCode === undefined) {
      serve.kill('SIGTERM');
      await until('serve stopped', () => Promise.resolve(exitCode !== undefined), 60_000, 200).catch(() => serve.kill('SIGKILL'));
    }
    await db?.shutdown().catch(() => undefined);
    await github?.close();
    // leave nothing behind on the shared stack
    if (serveEnv.TOPK_KEYSPACE) {
      const config = await removeServeTestData(serveEnv);
      const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
      await redis.connect();
      for (const pattern of ['bull:topk-crawl*', 'topk:*']) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      }
      redis.disconnect();
    }
    if (failedCrawls.length) console.warn(`failed crawls (see test-results/e2e/topk.log):\n${failedCrawls.join('\n')}`);
    if (dataDir) {
      // the control plane's log file is the artifact to read when something went wrong
      try {
        copyFileSync(join(dataDir, 'logs', 'topk.log'), join(OUT, 'topk.log'));
      } catch {
        /* no log */
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('first run: the stack screen shows the services and engine processes ready', async () => {
    await page.goto(`${base}/#token=${token}`);
    await go('stack');
    for (const name of ['Kafka', 'Cassandra', 'Redis']) {
      const card = page.getByRole('article', { name, exact: true });
      await card.getByText(/running|healthy/).first().waitFor({ timeout: 30_000 });
    }
    const procs = page.getByRole('region', { name: 'Engine processes' });
    await until('3 running engine processes', async () => (await procs.getByText('running', { exact: true }).count()) === 3, 30_000);
    await shoot('stack');
  }, 120_000);

  it('signs in with the GitHub device flow; the header shows the account', async () => {
    await go('account');
    await page.getByRole('button', { name: 'Sign in with GitHub' }).last().click();
    const state = await until('a device code', async () => {
      const r = await call<{ user_code?: string }>('GET', '/control/auth/device');
      return r.status === 200 ? r.body.user_code : undefined;
    }, 30_000, 200);
    // the code on screen is the one GitHub issued
    await page.getByText(state, { exact: true }).waitFor({ timeout: 10_000 });
    await shoot('signin-code');
    github.approve(state, LOGIN);
    const header = page.locator('header');
    try {
      await header.getByText(`@${LOGIN}`).waitFor({ timeout: 60_000 });
    } catch (err) {
      const polls = github.requests.filter((r) => r.path === '/login/oauth/access_token').map((r) => r.at - github.requests[0]!.at);
      throw new Error(`${(err as Error).message}\ntoken polls at ${polls.join(', ')} ms; device status ${JSON.stringify((await call('GET', '/control/auth/device')).body)}`);
    }
    expect(await header.getByText('Octo Cat').isVisible()).toBe(true);
    const auth = await call<{ active_user_id: string }>('GET', '/control/auth');
    expect(auth.body.active_user_id).toBe(LOGIN);
    // the account is an app user (recorded in Cassandra by the control plane)
    expect((await call('GET', `/api/v1/users/${LOGIN}`)).status).toBe(200);
    await shoot('account');
  }, 120_000);

  it('loads demo users, connects the simulator and the chart shows the exact counts', async () => {
    await go('sources', `?demo_users=${DEMO_USERS}`);
    await page.getByRole('button', { name: 'Load demo users' }).click();
    await page.getByText(`Created ${DEMO_USERS} demo users`).waitFor({ timeout: 120_000 });

    // the signed-in account is the selected user: connect the simulator for it
    expect(await page.getByRole('heading', { name: /Connect a source for/ }).textContent()).toContain('Octo Cat');
    await page.getByLabel('Seed').fill(String(SEED));
    await page.getByLabel('Listens per day').fill(String(LPD1));
    await page.getByRole('button', { name: 'Connect simulator' }).click();
    await page.getByRole('article', { name: 'Simulator source' }).waitFor({ timeout: 30_000 });
    await idle(LOGIN);
    for (const u of ['demo-ada', 'demo-bruno']) await idle(u);
    await shoot('sources');

    await go('charts');
    await page.getByRole('combobox', { name: 'How many' }).selectOption('100');
    await until(
      'the chart equals the simulator counts',
      async () => {
        const cursor = await cursorOf(LOGIN);
        if (!cursor) return false;
        const why = mismatch(await chartRows(page), expectedCounts([{ lpd: LPD1, to: cursor }], 7), 100);
        if (why) throw new Error(why);
        return true;
      },
      60_000,
      1000,
    );
    await shoot('charts');
  }, 600_000);

  it('a second crawl updates the open chart live, without a reload', async () => {
    // pause the schedule so the first config's cursor stays put, then note it
    const sources = await ctx.newPage();
    sources.on('pageerror', (e) => pageErrors.push(e.message));
    // a new tab has its own sessionStorage: the token comes in the address again
    await sources.goto(`${base}/#/sources?token=${token}`);
    const card = sources.getByRole('article', { name: 'Simulator source' });
    await card.getByRole('button', { name: 'Pause' }).click();
    await card.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 15_000 });
    await idle(LOGIN);
    const c1 = (await cursorOf(LOGIN))!;
    await page.evaluate(() => ((globalThis as unknown as { __e2eMarker: number }).__e2eMarker = 1));
    const before = await chartRows(page);

    // the form starts from the connected config; only the volume changes
    expect(await sources.getByLabel('Seed').inputValue()).toBe(String(SEED));
    expect(await sources.getByLabel('Listens per day').inputValue()).toBe(String(LPD1));
    await sources.getByLabel('Listens per day').fill(String(LPD2));
    await sources.getByRole('button', { name: 'Update and crawl' }).click();
    await until(
      'the open chart shows the union of both crawls',
      async () => {
        // the new config restarts the history (cursor reset): while its pages are still before the
        // window the chart rightly equals the first answer, so wait for the cursor to pass c1
        const c2 = await cursorOf(LOGIN);
        if (!c2 || c2 <= c1) return false;
        const why = mismatch(await chartRows(page), expectedCounts([{ lpd: LPD1, to: c1 }, { lpd: LPD2, to: c2 }], 7), 100);
        if (why) throw new Error(why);
        return true;
      },
      300_000,
      1000,
    );
    expect(await page.evaluate(() => (globalThis as unknown as { __e2eMarker?: number }).__e2eMarker)).toBe(1);
    expect(JSON.stringify(await chartRows(page))).not.toBe(JSON.stringify(before));
    crawlParts.push({ lpd: LPD1, to: c1 }, { lpd: LPD2, to: (await cursorOf(LOGIN))! });
    await sources.close();
    await shoot('charts-updated');
  }, 600_000);

  it('two people the account follows sign in too; the Friends view equals their plays ranked from the raw listens', async () => {
    // each signs in on this app (Add account): an app user with a GitHub identity, so a friend
    await go('account');
    for (const f of FRIENDS) {
      const previous = github.lastDeviceGrant()?.user_code;
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.getByRole('button', { name: 'Sign in with GitHub' }).last().click();
      const code = await until(`a device code for ${f.login}`, () => {
        const g = github.lastDeviceGrant();
        return g && g.user_code !== previous ? g.user_code : undefined;
      }, 30_000, 200);
      await page.getByText(code, { exact: true }).waitFor({ timeout: 10_000 });
      github.approve(code, f.login);
      await page.getByText(`@${f.login} · app user`).waitFor({ timeout: 60_000 });
    }
    // back to the account of this test
    await page.getByRole('listitem').filter({ hasText: `@${LOGIN} · app user` }).getByRole('button', { name: 'Switch to' }).click();
    await page.locator('header').getByText(`@${LOGIN}`).waitFor({ timeout: 15_000 });
    expect((await call<{ active_user_id: string }>('GET', '/control/auth')).body.active_user_id).toBe(LOGIN);
    await shoot('accounts');

    // LOGIN's follows were read when it signed in, before its friends used the app: read them again
    const marker = github.requests.length;
    const refreshed = await call<{ results: { user_id: string; state: string; following?: number; friends?: string[] }[] }>('POST', '/control/auth/friends/refresh', { user_id: LOGIN });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.results).toEqual([expect.objectContaining({ user_id: LOGIN, state: 'done', following: FOLLOWING.length, friends: FRIENDS.map((f) => f.login) })]);
    // every page of GitHub's list, following its Link header (demo-bruno is on the second)
    expect(github.requests.slice(marker).filter((r) => r.path === '/user/following').map((r) => r.query.page ?? '1')).toContain('2');

    // the window holds plays of users who are not friends: the comparison below would see them leak in
    const users = [...new Set((await rawListens(db, windowDays(7))).map((l) => l.user_id))];
    for (const u of [LOGIN, 'demo-chiara', NOT_SIGNED_IN.login, ...FRIENDS.map((f) => f.login)]) expect(users).toContain(u);

    await go('charts');
    await page.getByRole('combobox', { name: 'How many' }).selectOption('100');
    await page.getByRole('button', { name: 'Friends' }).click();
    expect(await page.getByRole('tab', { name: 'Artists' }).isDisabled()).toBe(true); // friends charts are by track
    const friends = new Set(FRIENDS.map((f) => f.login));
    const rows = await settlesOn('the Friends chart equals the friends’ raw listens ranked', 'Top tracks', (l) => expectedTracks(l, friends, 100));
    expect(rows.length).toBeGreaterThan(10);
    // both friends count: without either one the ranking is another
    const listens = await rawListens(db, windowDays(7));
    for (const f of friends) expect(firstDifference(rows, expectedTracks(listens, new Set([f]), 100))).not.toBeNull();
    await shootSchemes('charts-friends');
  }, 600_000);

  it('the Everyone view, tracks and artists, equals every user’s plays ranked from the raw listens', async () => {
    await page.getByRole('button', { name: 'Everyone' }).click();
    await page.getByRole('tab', { name: 'Tracks' }).click();
    const tracks = await settlesOn('the Everyone tracks chart equals all raw listens ranked', 'Top tracks', (l) => expectedTracks(l, null, 100));
    expect(tracks.length).toBeGreaterThan(10);
    await shootSchemes('charts-everyone');
    await page.getByRole('tab', { name: 'Artists' }).click();
    const artists = await settlesOn('the Everyone artists chart equals all raw listens ranked by artist', 'Top artists', (l) => expectedArtists(l, 100));
    expect(artists.length).toBeGreaterThan(5);
    await shootSchemes('charts-everyone-artists');
    await page.getByRole('button', { name: 'Mine' }).click();
  }, 300_000);

  it('exports the open chart as PNG and as CSV with the rows it shows', async () => {
    // the previous test leaves the Artists tab open: export the tracks chart
    await page.getByRole('tab', { name: 'Tracks' }).click();
    await page.locator('ol[aria-label="Top tracks"] > li').first().waitFor({ timeout: 15_000 });
    const rows = await chartRows(page);
    expect(rows.length).toBeGreaterThan(0);
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export this chart as PNG' }).click()]);
    const img = readFileSync((await png.path())!);
    expect(img.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(img.readUInt32BE(16)).toBeGreaterThanOrEqual(1000); // 760 px wide at 2x
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export this chart as CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(/^top-tracks-.*\.csv$/);
    const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\r\n');
    expect(lines[0]).toMatch(/^rank,song_id,title,artist,plays/);
    expect(lines.slice(1).map((l) => { const c = l.split(','); return [c[1], Number(c[4])]; })).toEqual(rows.map((r) => [r.key, r.count]));
  }, 60_000);

  it('listening activity: plays per day equal the simulator, heatmap and discoveries show, exports work', async () => {
    await go('activity');
    const bars = page.getByRole('img', { name: /^Plays per day: You:/ });
    await bars.waitFor({ timeout: 30_000 });
    const want = expectedPerDay(crawlParts, 7);
    await until(
      'the activity chart equals the simulator per day',
      async () => {
        const label = (await bars.getAttribute('aria-label')) ?? '';
        const shown = new Map([...label.matchAll(/(\d{4}-\d{2}-\d{2}) (\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
        for (const [d, n] of shown) if ((want.get(d) ?? 0) !== n) throw new Error(`${d}: ${n} shown, ${want.get(d) ?? 0} expected`);
        return shown.size === 7;
      },
      60_000,
      1000,
    );
    // everyone's plays are at least the signed-in user's on every day
    const api = await call<{ series: { day: string; mine: number; everyone: number }[] }>('GET', `/api/v1/users/${LOGIN}/activity`);
    for (const d of api.body.series) expect(d.everyone).toBeGreaterThanOrEqual(d.mine);
    await page.getByRole('img', { name: /^Plays of .* by weekday and hour/ }).waitFor({ timeout: 15_000 });
    await page.getByRole('heading', { name: 'Discoveries' }).waitFor();
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the listening hours as PNG' }).click()]);
    expect(readFileSync((await png.path())!).subarray(1, 4).toString()).toBe('PNG');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export plays per day of you as CSV' }).click()]);
    const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\r\n');
    expect(lines.slice(1).map((l) => l.split(','))).toEqual(api.body.series.map((d) => [d.day, String(d.mine)]));
    await shoot('activity');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot('activity-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  }, 180_000);

  it('opens Logs, Kafka, Cassandra and Redis', async () => {
    await go('logs');
    await page.getByText('ready', { exact: false }).first().waitFor({ timeout: 30_000 });
    await shoot('logs');
    // each inspect view shows this run's own data
    const own: Record<string, string> = { kafka: `listens-e2e-${tag}`, cassandra: `topk_e2e_${tag}`, redis: crawlQueueName(`topk_e2e_${tag}`) };
    for (const [route, text] of Object.entries(own)) {
      await go(route);
      await page.getByText(text, { exact: true }).first().waitFor({ state: 'attached', timeout: 30_000 });
      await page.waitForTimeout(1000);
      await shoot(route);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
    await go('charts');
    await page.waitForTimeout(2000);
    await shoot('charts-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('every view, light and dark, passes axe-core WCAG 2.1 AA', async () => {
    const report: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // a fresh page: colours switched on a live page are still in their CSS transitions for a moment
      await page.reload();
      for (const route of ['charts', 'activity', 'sources', 'stack', 'account', 'logs', 'kafka', 'cassandra', 'redis']) {
        await go(route);
        await page.waitForTimeout(2000);
        const found = await axeViolations(page);
        if (found.length) report.push(formatFindings(`${route} (${scheme})`, found));
      }
      // the other chart views too
      await go('charts');
      for (const view of ['Everyone', 'Friends']) {
        await page.getByRole('button', { name: view }).click();
        await page.waitForTimeout(1500);
        const found = await axeViolations(page);
        if (found.length) report.push(formatFindings(`charts ${view} (${scheme})`, found));
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(report.join('\n')).toBe('');
  }, 300_000);
});
