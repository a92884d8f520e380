import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../engine/shared/config';
import { GitHubFake, VirtualClock } from '../../test/fakes/github-fake';
import { startBareControlServer } from '../../test/helpers/control-test-server';
import { githubAuthService } from '../../test/helpers/github-auth';
import type { AuthService } from '../auth/auth-service';
import { createAuthRoutes } from './auth-routes';
import type { ControlServerHandle } from './control-server';

const TOKEN = 'control-token';
let fake: GitHubFake;
let auth: AuthService;
let server: ControlServerHandle;
let clock: VirtualClock;

/** An AuthService on a fresh data dir, behind a control server with only its routes. */
async function serveAuth(clientId: string | null): Promise<{ dir: string; auth: AuthService; server: ControlServerHandle }> {
  const dir = mkdtempSync(join(tmpdir(), 'topk-routes-'));
  const a = githubAuthService(fake.url, { dataDir: dir, clientId, clock });
  return { dir, auth: a, server: await startBareControlServer({ token: TOKEN, routes: [createAuthRoutes(a)] }) };
}

beforeEach(async () => {
  clock = new VirtualClock();
  fake = await new GitHubFake({ now: clock.now, users: [{ id: 1, login: 'Octo', name: 'Octo Cat' }, { id: 2, login: 'hubot', name: null }] }).start();
  ({ auth, server } = await serveAuth('Iv1.fakeclient'));
});
afterEach(async () => {
  await server.close();
  await auth.close();
  await fake.close();
});

async function call(method: string, path: string, body?: unknown, token = TOKEN): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function approveNext(login: string): Promise<void> {
  const { json } = await call('POST', '/control/auth/device');
  while (!fake.requests.some((r) => r.path === '/login/oauth/access_token' && r.body.device_code === fake.lastDeviceGrant()!.device_code)) await new Promise((r) => setImmediate(r));
  fake.approve(json.user_code as string, login);
  await auth.waitDevice();
  await auth.idle();
}

describe('/control/auth routes', () => {
  it('needs the bearer token', async () => {
    expect((await call('GET', '/control/auth', undefined, 'wrong')).status).toBe(401);
  });

  it('device sign-in through the API: start, status, account listed, no token in any answer', async () => {
    expect(await call('GET', '/control/auth')).toEqual({ status: 200, json: { accounts: [], active_user_id: null } });
    expect((await call('GET', '/control/auth/device')).status).toBe(404);
    const started = await call('POST', '/control/auth/device');
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({ user_code: expect.any(String), verification_uri: `${fake.url}/login/device`, expires_in: 900, interval: 5 });
    expect(started.json).not.toHaveProperty('device_code');
    const pending = await call('GET', '/control/auth');
    expect(pending.json.pending).toMatchObject({ user_code: started.json.user_code, state: 'pending' });
    expect((await call('GET', '/control/auth/device')).json).toMatchObject({ state: 'pending' });
    while (!fake.requests.some((r) => r.path === '/login/oauth/access_token')) await new Promise((r) => setImmediate(r));
    fake.approve(started.json.user_code as string, 'octo');
    await auth.waitDevice();
    await auth.idle();
    const st = await call('GET', '/control/auth');
    expect(st.json).toEqual({ accounts: [{ user_id: 'octo', login: 'Octo', name: 'Octo Cat', avatar_url: 'https://avatars.example/u/1', active: true }], active_user_id: 'octo' });
    expect((await call('GET', '/control/auth/device')).json).toMatchObject({ state: 'approved', user_id: 'octo' });
    const token = (await auth.accounts.token('octo'))!;
    for (const p of ['/control/auth', '/control/auth/device']) expect(JSON.stringify((await call('GET', p)).json)).not.toContain(token);
  });

  it('cancel, switch active, sign out, refresh friends; bad input is 400 naming the field', async () => {
    await call('POST', '/control/auth/device');
    expect((await call('DELETE', '/control/auth/device')).json).toEqual({ cancelled: true });
    await approveNext('octo');
    await approveNext('hubot');
    expect((await call('POST', '/control/auth/active', { user_id: 'octo' })).json.active_user_id).toBe('octo');
    expect(await call('POST', '/control/auth/active', {})).toEqual({ status: 400, json: { error: { code: 'invalid_user_id', message: expect.any(String), field: 'user_id' } } });
    expect((await call('POST', '/control/auth/active', '{nope')).json).toMatchObject({ error: { code: 'invalid_json', field: 'body' } });
    expect((await call('POST', '/control/auth/active', { user_id: 'ghost' })).status).toBe(404);
    const refreshed = await call('POST', '/control/auth/friends/refresh', { user_id: 'octo' });
    expect(refreshed.json).toMatchObject({ results: [{ user_id: 'octo', state: 'done' }] });
    expect((await call('GET', '/control/auth/friends/octo')).json).toEqual({ user_id: 'octo', friends: [] });
    expect(await call('DELETE', '/control/auth/accounts/octo')).toEqual({ status: 200, json: { removed: true, revoked: false } });
    expect((await call('DELETE', '/control/auth/accounts/octo')).status).toBe(404);
    expect((await call('GET', '/control/auth')).json).toMatchObject({ active_user_id: 'hubot', accounts: [{ user_id: 'hubot' }] });
    expect((await call('GET', '/control/auth/nothing')).status).toBe(404);
  });

  it('a GitHub that cannot be reached is a 502', async () => {
    await fake.close();
    const r = await call('POST', '/control/auth/device');
    expect(r.status).toBe(502);
    expect(r.json).toMatchObject({ error: { code: 'github_unreachable' } });
  });
});

describe('/control/auth/github-app: no invented OAuth App', () => {
  let dir: string;
  let bare: AuthService;
  let srv: ControlServerHandle;
  beforeEach(async () => {
    ({ dir, auth: bare, server: srv } = await serveAuth(null));
  });
  afterEach(async () => {
    await srv.close();
    await bare.close();
  });
  const at = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(srv.url + path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('explains how to register one, refuses a device flow (409) and asks GitHub nothing until a client id is pasted', async () => {
    const app = await at('GET', '/control/auth/github-app');
    expect(app).toMatchObject({ status: 200, json: { configured: false, client_id: null, source: null, register_url: `${fake.url}/settings/applications/new` } });
    const steps = (app.json.steps as string[]).join('\n');
    expect(steps).toContain('GitHub → Settings → Developer settings → OAuth Apps');
    expect(steps).toContain('Enable Device Flow');
    expect(steps).toContain('Client ID');
    const start = await at('POST', '/control/auth/device');
    expect(start).toMatchObject({ status: 409, json: { error: { code: 'github_not_configured', field: 'client_id' } } });
    expect(fake.requests).toEqual([]);
  });

  it('a pasted client id is validated (400 naming client_id), saved in config.json, and signs in', async () => {
    for (const bad of [undefined, '', 'a b c d e f', 'x'.repeat(65), 42]) {
      expect(await at('PUT', '/control/auth/github-app', { client_id: bad })).toMatchObject({ status: 400, json: { error: { code: 'invalid_client_id', field: 'client_id' } } });
    }
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ retentionDays: 5 }));
    const saved = await at('PUT', '/control/auth/github-app', { client_id: ' Iv1.fakeclient ' });
    expect(saved).toMatchObject({ status: 200, json: { configured: true, client_id: 'Iv1.fakeclient', source: 'config.json', saved: true } });
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ retentionDays: 5, githubClientId: 'Iv1.fakeclient' });
    expect(loadConfig({ env: { TOPK_DATA_DIR: dir }, persistToken: false }).githubClientId).toBe('Iv1.fakeclient');
    expect(loadConfig({ env: { TOPK_DATA_DIR: dir, TOPK_GITHUB_CLIENT_ID: 'Ov23liFromTheEnv0001' }, persistToken: false }).githubClientId).toBe('Ov23liFromTheEnv0001');
    const start = await at('POST', '/control/auth/device');
    expect(start.status).toBe(201);
    expect(fake.lastDeviceGrant()).toMatchObject({ client_id: 'Iv1.fakeclient' });
  });

  it('an unknown client id gets a message that says so (GitHub answers 404)', async () => {
    await at('PUT', '/control/auth/github-app', { client_id: 'Ov23liNoSuchApp00001' });
    const start = await at('POST', '/control/auth/device');
    expect(start.status).toBe(502);
    expect((start.json.error as { message: string }).message).toContain('GitHub does not know the OAuth App client id "Ov23liNoSuchApp00001"');
  });
});
