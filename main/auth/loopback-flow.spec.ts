import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubFake } from '../../test/fakes/github-fake';
import { GitHubClient } from './github-client';
import { pkcePair, startLoopbackFlow } from './loopback-flow';

let fake: GitHubFake;
let gh: GitHubClient;

beforeEach(async () => {
  fake = await new GitHubFake({ users: [{ id: 1, login: 'octo', name: 'Octo' }] }).start();
  gh = new GitHubClient({ githubUrl: fake.url, githubApiUrl: fake.url, clientId: 'Iv1.fakeclient', clientSecret: 'fake-secret' });
});
afterEach(() => fake.close());

/** What the browser does: GET authorize, follow GitHub's redirect to the loopback callback. */
async function browse(url: string): Promise<Response> {
  const r = await fetch(url, { redirect: 'manual' });
  expect(r.status).toBe(302);
  return fetch(r.headers.get('location')!);
}

describe('loopback + PKCE flow', () => {
  it('PKCE pair: S256 challenge of a 43..128 char verifier', () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(challenge).not.toBe(verifier);
  });

  it('signs in: state + S256 challenge on authorize, verifier on exchange, one-shot listener', async () => {
    fake.webLogin = 'octo';
    const h = await startLoopbackFlow(gh, { githubUrl: fake.url });
    const q = new URL(h.authorizeUrl).searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(q.get('state')!.length).toBeGreaterThan(20);
    const page = await browse(h.authorizeUrl);
    expect(page.status).toBe(200);
    const t = await h.token;
    expect(fake.isTokenValid(t.access_token)).toBe(true);
    const exchange = fake.requests.find((r) => r.path === '/login/oauth/access_token')!;
    expect(exchange.body.code_verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    // the listener is gone
    await expect(fetch(h.redirectUri)).rejects.toThrow();
  });

  it('a callback with a wrong state is refused and the real one still works', async () => {
    fake.webLogin = 'octo';
    const h = await startLoopbackFlow(gh, { githubUrl: fake.url });
    const forged = await fetch(`${h.redirectUri}?code=abc&state=forged`);
    expect(forged.status).toBe(400);
    await browse(h.authorizeUrl);
    await expect(h.token).resolves.toMatchObject({ token_type: 'bearer' });
  });

  it('access_denied from GitHub rejects', async () => {
    fake.webLogin = undefined; // the user clicks Cancel
    const h = await startLoopbackFlow(gh, { githubUrl: fake.url });
    await browse(h.authorizeUrl);
    await expect(h.token).rejects.toMatchObject({ code: 'access_denied' });
  });

  it('the fake rejects a wrong code_verifier, a reused code and a wrong secret', async () => {
    fake.webLogin = 'octo';
    const { challenge } = pkcePair();
    const r = await fetch(
      `${fake.url}/login/oauth/authorize?client_id=Iv1.fakeclient&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/callback')}&state=s&code_challenge=${challenge}&code_challenge_method=S256`,
      { redirect: 'manual' },
    );
    const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
    await expect(gh.exchangeCode({ code, redirectUri: 'http://127.0.0.1:9/callback', codeVerifier: pkcePair().verifier })).rejects.toMatchObject({ code: 'invalid_grant' });
    const noSecret = new GitHubClient({ githubUrl: fake.url, githubApiUrl: fake.url, clientId: 'Iv1.fakeclient', clientSecret: 'wrong' });
    await expect(noSecret.exchangeCode({ code, redirectUri: 'http://127.0.0.1:9/callback', codeVerifier: 'x' })).rejects.toMatchObject({ code: 'incorrect_client_credentials' });
  });

  it('times out when the browser never comes back', async () => {
    const h = await startLoopbackFlow(gh, { githubUrl: fake.url, timeoutMs: 50 });
    await expect(h.token).rejects.toMatchObject({ code: 'timeout' });
  });
});
