import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthService } from '../../main/auth/auth-service';
import { createAuthRoutes } from '../../main/control/auth-routes';
import type { ControlServerHandle } from '../../main/control/control-server';
import { GitHubFake } from '../fakes/github-fake';
import { startBareControlServer } from '../helpers/control-test-server';
import { githubAuthService } from '../helpers/github-auth';

/**
 * Done-when of the sign-in issue: `topk login` against the GitHub fake signs
 * in and GET /control/auth shows the account — both when the CLI signs in by
 * itself (no app running) and when it drives a running control server.
 */

const TOKEN = 'cli-test-token';
let fake: GitHubFake;
let dir: string;
let auth: AuthService;
let server: ControlServerHandle;

beforeEach(async () => {
  fake = await new GitHubFake({ interval: 1, users: [{ id: 583231, login: 'OctoCat', name: 'The Octocat' }] }).start();
  dir = mkdtempSync(join(tmpdir(), 'topk-cli-'));
  auth = githubAuthService(fake.url, { dataDir: dir });
  server = await startBareControlServer({ token: TOKEN, routes: [createAuthRoutes(auth)] });
});
afterEach(async () => {
  await server.close();
  await auth.close();
  await fake.close();
});

function topk(args: string[], env: Record<string, string>, onOut?: (text: string) => void, viaNpx = false): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    // `npx topk …` literally for the done-when check; bin/topk.mjs (what npx runs) elsewhere, it is faster
    const [cmd, argv] = viaNpx ? ['npx', ['--no-install', 'topk', ...args]] : [process.execPath, ['bin/topk.mjs', ...args]];
    const child = spawn(cmd, argv, {
      env: {
        ...process.env,
        TOPK_DATA_DIR: dir,
        TOPK_API_TOKEN: TOKEN,
        TOPK_GITHUB_URL: fake.url,
        TOPK_GITHUB_API_URL: fake.url,
        TOPK_GITHUB_CLIENT_ID: 'Iv1.fakeclient',
        TOPK_CASSANDRA_CONTACT_POINTS: '127.0.0.1:1', // no stack: the CLI must cope
        ...env,
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      onOut?.(out);
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

function approveWhenShown(login: string): (out: string) => void {
  let done = false;
  return (out) => {
    const m = /│\s+((?:[A-Z] ){4}- (?:[A-Z] ){3}[A-Z])\s+│/.exec(out);
    if (m && !done) {
      done = true;
      fake.approve(m[1]!.replace(/ /g, ''), login);
    }
  };
}

async function controlAuth(): Promise<unknown> {
  const res = await fetch(`${server.url}/control/auth`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return res.json();
}

describe('npx topk login', () => {
  it('signs in by itself when no app runs; the running control server then lists the account', async () => {
    const r = await topk(['login', '--no-browser'], { TOPK_PORT: '1' }, approveWhenShown('octocat'), true);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`at ${fake.url}/login/device`);
    expect(r.out).toMatch(/Signed in as OctoCat \(user octocat\)/);
    expect(await controlAuth()).toEqual({
      accounts: [{ user_id: 'octocat', login: 'OctoCat', name: 'The Octocat', avatar_url: 'https://avatars.example/u/583231', active: true }],
      active_user_id: 'octocat',
    });
    const token = (await auth.accounts.token('octocat'))!;
    expect(readFileSync(join(dir, 'accounts.json'), 'utf8')).not.toContain(token);
    expect(r.out + r.err).not.toContain(token);

    const list = await topk(['accounts'], { TOPK_PORT: '1' });
    expect(list.out).toMatch(/^\* octocat\s+OctoCat \(The Octocat\)$/m);
    const out = await topk(['logout'], { TOPK_PORT: '1' });
    expect(out).toMatchObject({ code: 0, out: expect.stringMatching(/Signed out octocat/) });
    expect(await controlAuth()).toEqual({ accounts: [], active_user_id: null });
    expect((await topk(['logout', 'nobody'], { TOPK_PORT: '1' })).code).toBe(2);
  }, 120_000);

  it('drives a running control server when one answers on TOPK_PORT', async () => {
    const r = await topk(['login', '--no-browser'], { TOPK_PORT: String(server.port) }, approveWhenShown('octocat'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Signed in as OctoCat \(user octocat\)/);
    expect(await controlAuth()).toMatchObject({ active_user_id: 'octocat' });
  }, 120_000);

  it('reports a denied sign-in with exit 1, and bad options with exit 2', async () => {
    let denied = false;
    const r = await topk(['login', '--no-browser', '--local'], { TOPK_PORT: '1' }, (out) => {
      const m = /│\s+((?:[A-Z] ){4}- (?:[A-Z] ){3}[A-Z])\s+│/.exec(out);
      if (m && !denied) {
        denied = true;
        fake.deny(m[1]!.replace(/ /g, ''));
      }
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cancelled on GitHub/);
    expect((await topk(['login', '--bogus'], {})).code).toBe(2);
  }, 120_000);

  it('without an OAuth App client id: explains how to register one, exits 2 when nobody can paste it, and signs in with --client-id (saved in config.json)', async () => {
    const none = await topk(['login', '--no-browser', '--local'], { TOPK_PORT: '1', TOPK_GITHUB_CLIENT_ID: '' });
    expect(none.code).toBe(2);
    expect(none.out).toContain('none is configured yet');
    expect(none.out).toContain(`${fake.url}/settings/applications/new (GitHub → Settings → Developer settings → OAuth Apps → New OAuth App)`);
    expect(none.out).toContain('"Enable Device Flow"');
    expect(none.err).toContain('topk login --client-id <Client ID>');
    expect(fake.requests).toEqual([]);
    expect((await topk(['login', '--local', '--client-id', 'not an id'], { TOPK_PORT: '1', TOPK_GITHUB_CLIENT_ID: '' })).code).toBe(2);

    const r = await topk(['login', '--no-browser', '--local', '--client-id', 'Iv1.fakeclient'], { TOPK_PORT: '1', TOPK_GITHUB_CLIENT_ID: '' }, approveWhenShown('octocat'));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Saved the client id in ${join(dir, 'config.json')}.`);
    expect(r.out).toMatch(/Signed in as OctoCat \(user octocat\)/);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ githubClientId: 'Iv1.fakeclient' });
    // the next login needs no --client-id
    const again = await topk(['login', '--no-browser', '--local'], { TOPK_PORT: '1', TOPK_GITHUB_CLIENT_ID: '' }, approveWhenShown('octocat'));
    expect(again.code).toBe(0);
    expect(again.out).not.toContain('none is configured yet');
  }, 120_000);

  it('--client-id through a running control server: the server saves it and signs in with it', async () => {
    const r = await topk(['login', '--no-browser', '--client-id', 'Iv1.fakeclient'], { TOPK_PORT: String(server.port) }, approveWhenShown('octocat'));
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ githubClientId: 'Iv1.fakeclient' });
    expect(await controlAuth()).toMatchObject({ active_user_id: 'octocat' });
  }, 120_000);
});
