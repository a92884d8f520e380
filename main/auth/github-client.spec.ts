import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubFake, VirtualClock } from '../../test/fakes/github-fake';
import { GitHubApiError, GitHubClient } from './github-client';

let clock: VirtualClock;
let fake: GitHubFake;
let gh: GitHubClient;

beforeEach(async () => {
  clock = new VirtualClock();
  const others = Array.from({ length: 7 }, (_, i) => ({ id: 100 + i, login: `friend${i}`, name: null }));
  fake = await new GitHubFake({
    now: clock.now,
    users: [{ id: 1, login: 'Octo', name: 'Octo Cat', following: others.map((o) => o.login) }, ...others],
  }).start();
  gh = new GitHubClient({ githubUrl: fake.url, githubApiUrl: fake.url, clientId: 'Iv1.fakeclient', clientSecret: 'fake-secret', now: clock.now });
});
afterEach(() => fake.close());

describe('GitHubClient REST', () => {
  it('GET /user with a bearer token, API version header, and rate-limit headers read', async () => {
    const token = fake.issueToken('octo');
    expect(await gh.getUser(token)).toEqual({ id: 1, login: 'Octo', name: 'Octo Cat', avatar_url: 'https://avatars.example/u/1' });
    const req = fake.requests.at(-1)!;
    expect(req.headers.authorization).toBe(`Bearer ${token}`);
    expect(req.headers['x-github-api-version']).toBe('2022-11-28');
    expect(gh.lastRateLimit).toMatchObject({ limit: 5000, remaining: 4999, used: 1 });
  });

  it('401 Bad credentials is a GitHubApiError with badCredentials', async () => {
    const err = (await gh.getUser('gho_wrong').catch((e: unknown) => e)) as GitHubApiError;
    expect(err).toBeInstanceOf(GitHubApiError);
    expect(err.status).toBe(401);
    expect(err.badCredentials).toBe(true);
    expect(err.message).toMatch(/Bad credentials/);
    expect(err.message).not.toContain('gho_wrong');
  });

  it('follows every Link rel="next" page of /user/following', async () => {
    const token = fake.issueToken('octo');
    const list = await gh.listFollowing(token, { perPage: 3 });
    expect(list.map((u) => u.login)).toEqual(['friend0', 'friend1', 'friend2', 'friend3', 'friend4', 'friend5', 'friend6']);
    const pages = fake.requests.filter((r) => r.path === '/user/following');
    expect(pages.map((p) => p.query.page ?? '1')).toEqual(['1', '2', '3']);
  });

  it('the fake caps per_page at 100 and sends first/prev/next/last links', async () => {
    const token = fake.issueToken('octo');
    const res = await fetch(`${fake.url}/user/following?per_page=2&page=2`, { headers: { authorization: `token ${token}` } });
    const link = res.headers.get('link')!;
    expect(link).toMatch(/page=1>; rel="prev"/);
    expect(link).toMatch(/page=3>; rel="next"/);
    expect(link).toMatch(/page=4>; rel="last"/);
    expect(link).toMatch(/rel="first"/);
    const big = await fetch(`${fake.url}/user/following?per_page=500`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await big.json()) as unknown[]).length).toBe(7);
    expect(big.headers.get('link')).toBeNull();
  });

  it.each([403, 429] as const)('an exhausted budget answers %i with x-ratelimit-remaining: 0 and the reset time', async (status) => {
    fake.rateLimitedStatus = status;
    fake.rateLimit = 2;
    const token = fake.issueToken('octo');
    await gh.getUser(token);
    await gh.getUser(token);
    const err = (await gh.getUser(token).catch((e: unknown) => e)) as GitHubApiError;
    expect(err.status).toBe(status);
    expect(err.rateLimited).toBe(true);
    expect(err.rateLimit).toMatchObject({ remaining: 0, limit: 2 });
    expect(err.retryAt).toBe(err.rateLimit!.resetAt);
    expect(err.retryAt).toBe(Math.floor(clock.now() / 1000) * 1000 + 3600_000);
    expect(err.message).toMatch(/rate limit exceeded/);
    // after the reset the budget is back
    clock.advance(3601_000);
    await expect(gh.getUser(token)).resolves.toMatchObject({ login: 'Octo' });
  });

  it('revokes a token with basic auth (DELETE /applications/{client_id}/token)', async () => {
    const token = fake.issueToken('octo');
    expect(await gh.revokeToken(token)).toBe(true);
    expect(fake.isTokenValid(token)).toBe(false);
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('DELETE');
    expect(req.headers.authorization).toBe('Basic ' + Buffer.from('Iv1.fakeclient:fake-secret').toString('base64'));
    // a wrong secret is refused
    const bad = new GitHubClient({ githubUrl: fake.url, githubApiUrl: fake.url, clientId: 'Iv1.fakeclient', clientSecret: 'nope' });
    await expect(bad.revokeToken(fake.issueToken('octo'))).rejects.toMatchObject({ status: 401 });
    // without a secret there is nothing to revoke with
    const pub = new GitHubClient({ githubUrl: fake.url, githubApiUrl: fake.url, clientId: 'Iv1.fakeclient' });
    expect(await pub.revokeToken(token)).toBe(false);
  });
});
