import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../engine/api/server';
import type { AuthService } from '../../main/auth/auth-service';
import { CassandraUserDirectory } from '../../main/auth/user-directory';
import type { ControlServerHandle } from '../../main/control/control-server';
import { apiServer, quietLog, uid, useApiTestClients } from '../api/helpers';
import { GitHubFake } from '../fakes/github-fake';
import { startBareControlServer } from '../helpers/control-test-server';
import { githubAuthService } from '../helpers/github-auth';

/**
 * GDPR delete removes the signed-in account's GitHub token too (issue #22, point 5): the engine
 * cannot reach the control plane's vault, so the auth service signs out an account whose app
 * user has a `deleted_users` tombstone — when a proxied DELETE answers 202, and on start for
 * deletions it did not see. Real Cassandra, the real API behind the real control server's proxy,
 * the GitHub fake (which also records the revocation).
 */

const t = useApiTestClients();
let api: ApiServer;
let apiPort: number;
let fake: GitHubFake;
let control: ControlServerHandle;
const services: AuthService[] = [];
const [alice, bob, carol] = [uid('alice'), uid('bob'), uid('carol')];

function authService(): AuthService {
  const s = githubAuthService(fake.url, { dataDir: t.config.dataDir, clientSecret: 'fake-secret', log: quietLog, directory: new CassandraUserDirectory(t.db) });
  services.push(s);
  return s;
}

async function signIn(auth: AuthService, login: string): Promise<string> {
  const token = fake.issueToken(login);
  await auth.signInWithToken({ access_token: token, token_type: 'bearer', scope: 'read:user' });
  await auth.idle();
  return token;
}

const accountsFile = () => readFileSync(join(t.config.dataDir, 'accounts.json'), 'utf8');
const signedIn = async (auth: AuthService) => (await auth.accounts.list()).map((a) => a.user_id).sort();

beforeAll(async () => {
  api = await apiServer(t);
  apiPort = Number(new URL(await api.listen(0)).port);
  fake = await new GitHubFake({ users: [alice, bob, carol].map((login, i) => ({ id: 7_100_000 + i, login, name: login })) }).start();
}, 120_000);

afterAll(async () => {
  await control?.close();
  for (const s of services) await s.close();
  await fake?.close();
  await api?.close();
}, 60_000);

describe('GDPR delete of a signed-in user', () => {
  it('a proxied DELETE that answers 202 has signed the user out (token gone from the vault, revoked at GitHub); other accounts stay', async () => {
    const auth = authService();
    control = await startBareControlServer({
      token: t.config.apiToken, // the proxy forwards with it
      api: { host: '127.0.0.1', port: apiPort },
      onUserDeleted: async (userId) => void (await auth.signOutDeleted([userId])),
      log: quietLog,
    });
    await auth.attachDirectory(new CassandraUserDirectory(t.db));
    const aliceToken = await signIn(auth, alice);
    const bobToken = await signIn(auth, bob);
    expect(await signedIn(auth)).toEqual([alice, bob].sort());
    const aliceSealed = JSON.parse(accountsFile()).accounts.find((a: { user_id: string }) => a.user_id === alice).token.sealed as string;

    const res = await fetch(`${control.url}/api/v1/users/${alice}`, { method: 'DELETE', headers: { authorization: `Bearer ${t.config.apiToken}` } });
    expect(res.status).toBe(202);
    // no waiting: the 202 reaches the client after the sign-out
    expect(await signedIn(auth)).toEqual([bob]);
    expect(await auth.accounts.token(alice)).toBeUndefined();
    expect(accountsFile()).not.toContain(aliceSealed);
    expect(fake.isTokenValid(aliceToken)).toBe(false);
    // bob: untouched, his token still opens and is still valid at GitHub, and he is active now
    expect(await auth.accounts.token(bob)).toBe(bobToken);
    expect(fake.isTokenValid(bobToken)).toBe(true);
    expect((await auth.state()).active_user_id).toBe(bob);
    // the deleted user's row is not recreated by the sign-in's bookkeeping
    expect((await t.db.execute('SELECT user_id FROM users WHERE user_id = ?', [alice], { prepare: true })).rowLength).toBe(0);

    // a DELETE of a user who is not signed in, and other proxied answers, change nothing
    expect((await fetch(`${control.url}/api/v1/users/${uid('nobody')}`, { method: 'DELETE', headers: { authorization: `Bearer ${t.config.apiToken}` } })).status).toBe(202);
    expect((await fetch(`${control.url}/api/v1/users/${bob}`, { headers: { authorization: `Bearer ${t.config.apiToken}` } })).status).toBe(200);
    expect(await signedIn(auth)).toEqual([bob]);
  });

  it('on start: an account deleted while no control server watched is signed out; one signed in again after its deletion stays', async () => {
    const first = authService();
    await first.attachDirectory(new CassandraUserDirectory(t.db));
    const carolToken = await signIn(first, carol);
    // deleted straight at the engine API (a script, another client): nobody told the auth service
    expect((await api.app.inject({ method: 'DELETE', url: `/v1/users/${carol}`, headers: { authorization: `Bearer ${t.config.apiToken}` } })).statusCode).toBe(202);
    expect(await signedIn(first)).toContain(carol);
    // alice (deleted in the test above) signs in again: a new sign-in after the deletion
    await signIn(first, alice);
    await first.close();

    const next = authService();
    await next.attachDirectory(new CassandraUserDirectory(t.db));
    await next.start({ friendsTickMs: 3_600_000 });
    expect(await signedIn(next)).toEqual([alice, bob].sort());
    expect(await next.accounts.token(carol)).toBeUndefined();
    expect(fake.isTokenValid(carolToken)).toBe(false);
    expect((await t.db.execute('SELECT user_id FROM users WHERE user_id = ?', [carol], { prepare: true })).rowLength).toBe(0);
    expect((await t.db.execute('SELECT user_id FROM users WHERE user_id = ?', [alice], { prepare: true })).rowLength).toBe(1);
  });
});
