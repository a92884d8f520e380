import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubFake, VirtualClock } from '../../test/fakes/github-fake';
import { githubAuthService } from '../../test/helpers/github-auth';
import type { AuthService } from './auth-service';
import { MemoryUserDirectory } from './user-directory';

let clock: VirtualClock;
let fake: GitHubFake;
let dir: string;
let logs: string;
let directory: MemoryUserDirectory;
const services: AuthService[] = [];

function service(secret?: string): AuthService {
  const log = pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, cb) => ((logs += c.toString()), cb()) }));
  const s = githubAuthService(fake.url, { dataDir: dir, clientSecret: secret, log, directory, clock });
  services.push(s);
  return s;
}

beforeEach(async () => {
  clock = new VirtualClock();
  logs = '';
  dir = mkdtempSync(join(tmpdir(), 'topk-auth-'));
  directory = new MemoryUserDirectory();
  const friends = Array.from({ length: 5 }, (_, i) => ({ id: 200 + i, login: `Pal${i}`, name: `Pal ${i}` }));
  fake = await new GitHubFake({
    now: clock.now,
    users: [{ id: 1, login: 'Octo', name: 'Octo Cat', following: friends.map((f) => f.login) }, { id: 2, login: 'hubot', name: null }, ...friends],
  }).start();
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  await fake.close();
});

async function signIn(s: AuthService, login: string): Promise<void> {
  const started = await s.startDevice();
  while (fake.requests.filter((r) => r.path === '/login/oauth/access_token').length === 0) await new Promise((r) => setImmediate(r));
  fake.approve(started.user_code, login);
  await s.waitDevice();
  await s.idle();
}

describe('AuthService', () => {
  it('device sign-in: pending state visible, then the account is stored, active, an app user; no token anywhere outside', async () => {
    const s = service();
    const started = await s.startDevice();
    expect(started).toMatchObject({ user_code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/), verification_uri: `${fake.url}/login/device`, expires_in: 900, interval: 5 });
    const st = await s.state();
    expect(st.pending).toMatchObject({ user_code: started.user_code, state: 'pending', interval: 5 });
    while (fake.requests.filter((r) => r.path === '/login/oauth/access_token').length === 0) await new Promise((r) => setImmediate(r));
    fake.approve(started.user_code, 'octo');
    expect((await s.waitDevice())?.user_id).toBe('octo');
    await s.idle();
    const after = await s.state();
    expect(after).toEqual({ accounts: [{ user_id: 'octo', login: 'Octo', name: 'Octo Cat', avatar_url: 'https://avatars.example/u/1', active: true }], active_user_id: 'octo' });
    expect(s.deviceStatus()).toMatchObject({ state: 'approved', user_id: 'octo' });
    expect(directory.users.get('octo')).toMatchObject({ github_id: 1, login: 'Octo', name: 'Octo Cat' });
    const token = await s.accounts.token('octo');
    expect(token).toMatch(/^gho_/);
    expect(logs).not.toContain(token!);
    expect(readFileSync(join(dir, 'accounts.json'), 'utf8')).not.toContain(token!);
    expect(JSON.stringify(after)).not.toContain(token!);
  });

  it('denied and expired flows show up as pending.state with an error', async () => {
    const s = service();
    const a = await s.startDevice();
    while (fake.requests.filter((r) => r.path === '/login/oauth/access_token').length === 0) await new Promise((r) => setImmediate(r));
    fake.deny(a.user_code);
    expect(await s.waitDevice()).toBeUndefined();
    expect((await s.state()).pending).toMatchObject({ state: 'denied', error: expect.any(String) });

    fake.expiresIn = 7;
    await s.startDevice();
    expect(await s.waitDevice()).toBeUndefined();
    expect((await s.state()).pending).toMatchObject({ state: 'expired' });
    expect((await s.state()).accounts).toEqual([]);
  });

  it('cancelDevice stops the flow; a new startDevice replaces the old one', async () => {
    const s = service();
    await s.startDevice();
    expect(s.cancelDevice()).toBe(true);
    expect((await s.state()).pending).toBeUndefined();
    expect(s.cancelDevice()).toBe(false);
  });

  it('multi-account: two sign-ins, switch active, sign out one', async () => {
    const s = service();
    await signIn(s, 'octo');
    await signIn(s, 'hubot');
    expect((await s.state()).active_user_id).toBe('hubot');
    expect(await s.setActive('octo')).toBe(true);
    expect((await s.state()).active_user_id).toBe('octo');
    const tok = (await s.accounts.token('octo'))!;
    expect(await s.signOut('octo')).toEqual({ removed: true, revoked: false }); // no secret: nothing to revoke with
    expect(fake.isTokenValid(tok)).toBe(true);
    const st = await s.state();
    expect(st.accounts.map((a) => a.user_id)).toEqual(['hubot']);
    expect(st.active_user_id).toBe('hubot');
    expect(readFileSync(join(dir, 'accounts.json'), 'utf8')).not.toContain('"octo"');
    expect(await s.signOut('octo')).toEqual({ removed: false, revoked: false });
  });

  it('sign-out revokes the token at GitHub when the app has a secret', async () => {
    const s = service('fake-secret');
    await signIn(s, 'octo');
    const tok = (await s.accounts.token('octo'))!;
    expect(await s.signOut('octo')).toEqual({ removed: true, revoked: true });
    expect(fake.isTokenValid(tok)).toBe(false);
  });

  it('friends = followed accounts that are app users, matched on GitHub id', async () => {
    const s = service();
    // Pal0 and Pal1 already use the app; "pal2" exists as an app user without that GitHub id (not a friend)
    await directory.upsertGithubUser({ user_id: 'pal0', github_id: 200, login: 'Pal0', name: null, avatar_url: '' });
    await directory.upsertGithubUser({ user_id: 'pal1', github_id: 201, login: 'Pal1', name: null, avatar_url: '' });
    directory.users.set('pal2', { user_id: 'pal2', github_id: null });
    await signIn(s, 'octo'); // refreshes friends on sign-in
    expect(await s.friendsOf('octo')).toEqual(['pal0', 'pal1']);
    // Pal3 signs in later; octo's next refresh picks them up
    await signIn(s, 'pal3');
    const [r] = await s.refreshFriends('octo');
    expect(r).toMatchObject({ state: 'done', following: 5, friends: ['pal0', 'pal1', 'pal3'], added: ['pal3'], removed: [] });
    expect(await s.friendsOf('octo')).toEqual(['pal0', 'pal1', 'pal3']);
  });

  it('friends refresh stops at the rate limit, remembers the reset, skips until then', async () => {
    const s = service();
    await signIn(s, 'octo');
    const tok = (await s.accounts.token('octo'))!;
    fake.exhaust(tok);
    const [r] = await s.refreshFriends('octo');
    expect(r!.state).toBe('rate_limited');
    const resetAt = Date.parse(r!.retry_at!);
    expect(resetAt).toBeGreaterThan(clock.now());
    const before = fake.requests.length;
    const [again] = await s.refreshFriends('octo');
    expect(again!.state).toBe('skipped');
    expect(fake.requests.length).toBe(before); // no request sent while limited
    clock.t = resetAt + 1000;
    expect((await s.refreshFriends('octo'))[0]!.state).toBe('done');
  });

  it('stops paging when x-ratelimit-remaining hits 0 mid-way', async () => {
    const s = service();
    await signIn(s, 'octo');
    const tok = (await s.accounts.token('octo'))!;
    fake.rateLimit = 3; // sign-in used /user and one page already
    const n = fake.requests.length;
    s.github.listFollowing = ((orig) => (t: string, o: Parameters<typeof orig>[1] = {}) => orig(t, { ...o, perPage: 1 }))(s.github.listFollowing.bind(s.github));
    const [r] = await s.refreshFriends('octo');
    expect(r!.state).toBe('rate_limited');
    // one page used the last request of the budget; the next page was not asked for (no 403 provoked)
    const sent = fake.requests.slice(n);
    expect(sent.map((q) => [q.path, q.headers.authorization])).toEqual([['/user/following', `Bearer ${tok}`]]);
  });

  it('a revoked token makes the refresh fail with a sign-in-again message', async () => {
    const s = service('fake-secret');
    await signIn(s, 'octo');
    await s.github.revokeToken((await s.accounts.token('octo'))!);
    const [r] = await s.refreshFriends('octo');
    expect(r).toMatchObject({ state: 'failed', error: expect.stringMatching(/sign in again/) });
  });

  it('periodic refresh: due accounts only', async () => {
    const s = service();
    await signIn(s, 'octo');
    expect(await s.friends.refreshDue()).toEqual([]); // refreshed at sign-in
    clock.advance(3600_000 + 1);
    expect((await s.friends.refreshDue()).map((r) => [r.user_id, r.state])).toEqual([['octo', 'done']]);
  });

  it('a running server sees an account signed in by another process (CLI)', async () => {
    const server = service();
    const cli = service();
    await signIn(cli, 'octo');
    expect((await server.state()).accounts.map((a) => a.user_id)).toEqual(['octo']);
  });
});

describe('AuthService.attachDirectory', () => {
  it('accounts signed in before the stack was up become app users with friends once Cassandra is attached', async () => {
    const s = service();
    const early = new MemoryUserDirectory();
    // replace the directory the service was built with by an empty one: as if no stack yet
    await s.attachDirectory(early);
    await signIn(s, 'octo');
    const real = new MemoryUserDirectory();
    await real.upsertGithubUser({ user_id: 'pal4', github_id: 204, login: 'Pal4', name: null, avatar_url: '' });
    await s.attachDirectory(real);
    await s.idle();
    expect(real.users.get('octo')).toMatchObject({ github_id: 1 });
    expect(await s.friendsOf('octo')).toEqual(['pal4']);
  });
});
