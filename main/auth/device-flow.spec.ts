import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubFake, VirtualClock } from '../../test/fakes/github-fake';
import { DeviceFlow, DeviceFlowError } from './device-flow';
import { GitHubClient } from './github-client';

const CLIENT = 'Iv1.fakeclient';
let clock: VirtualClock;
let fake: GitHubFake;

function client(clientId = CLIENT): GitHubClient {
  return new GitHubClient({ githubUrl: fake.url, githubApiUrl: fake.url, clientId, now: clock.now });
}

beforeEach(async () => {
  clock = new VirtualClock();
  fake = await new GitHubFake({ now: clock.now, users: [{ id: 1, login: 'Octo', name: 'Octo Cat' }] }).start();
});
afterEach(() => fake.close());

/** Run the flow; when the first poll has happened, let `act` play the user. */
async function runWith(act: (userCode: string) => void, flow = new DeviceFlow(client(), { clock })) {
  const s = await flow.start();
  const polls = () => fake.requests.filter((r) => r.path === '/login/oauth/access_token').length;
  const waiting = flow.wait();
  const played = (async () => {
    while (polls() < 2) await new Promise((r) => setImmediate(r));
    act(s.user_code);
  })();
  try {
    return await waiting;
  } finally {
    await played;
  }
}

describe('device flow against the GitHub fake', () => {
  it('asks for scope read:user, polls at the interval through authorization_pending, and gets a token', async () => {
    const flow = new DeviceFlow(client(), { clock });
    const token = await runWith((code) => fake.approve(code, 'octo'), flow);
    expect(token.access_token).toMatch(/^gho_/);
    expect(token.token_type).toBe('bearer');
    const codeReq = fake.requests.find((r) => r.path === '/login/device/code')!;
    expect(codeReq.body).toEqual({ client_id: CLIENT, scope: 'read:user' });
    const polls = fake.requests.filter((r) => r.path === '/login/oauth/access_token');
    expect(polls[0]!.body.grant_type).toBe('urn:ietf:params:oauth:grant-type:device_code');
    for (let i = 1; i < polls.length; i++) expect(polls[i]!.at - polls[i - 1]!.at).toBeGreaterThanOrEqual(5000);
    expect(flow.status?.state).toBe('approved');
  });

  it('slow_down: a client polling too fast gets slow_down with a new interval (+5 s) and adopts it', async () => {
    // a clock whose first sleep is too short, as if the client had ignored the interval
    let n = 0;
    // the second wait is skipped, as if the client ignored the interval
    const hasty = { now: clock.now, sleep: (ms: number, s?: AbortSignal) => clock.sleep(++n === 2 ? 0 : ms, s) };
    const gh = client();
    const pre = await gh.requestDeviceCode('read:user');
    const r1 = await gh.pollDeviceToken(pre.device_code);
    expect(r1).toMatchObject({ ok: false, error: 'authorization_pending' });
    const r2 = await gh.pollDeviceToken(pre.device_code); // no wait at all
    expect(r2).toEqual({ ok: false, error: 'slow_down', description: expect.any(String), interval: 10 });

    const seen: string[] = [];
    const flow = new DeviceFlow(client(), { clock: hasty, onStatus: (st) => seen.push(st.state) });
    const s = await flow.start();
    const base = clock.sleeps.length;
    const waiting = flow.wait();
    while (fake.requests.filter((r) => r.path === '/login/oauth/access_token').length < 5) await new Promise((r) => setImmediate(r));
    fake.approve(s.user_code, 'octo');
    await waiting;
    // 1st sleep too short (0) → 1st poll pending... the fake enforces the gap between polls:
    expect(seen).toContain('slow_down');
    expect(flow.status!.interval).toBe(10);
    const after = clock.sleeps.slice(base + 2);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((ms) => ms === 10000)).toBe(true);
  });

  it('slow_down without an interval field adds 5 s', async () => {
    const gh = client();
    const answers = [
      { ok: false as const, error: 'slow_down' },
      { ok: false as const, error: 'authorization_pending' },
      { ok: true as const, token: { access_token: 't', token_type: 'bearer', scope: '' } },
    ];
    gh.requestDeviceCode = async () => ({ device_code: 'd', user_code: 'U', verification_uri: 'v', expires_in: 900, interval: 5 });
    gh.pollDeviceToken = async () => answers.shift()!;
    const flow = new DeviceFlow(gh, { clock });
    await flow.start();
    const before = clock.sleeps.length;
    await flow.wait();
    expect(clock.sleeps.slice(before)).toEqual([5000, 10000, 10000]);
  });

  it('access_denied ends the flow with state denied', async () => {
    const flow = new DeviceFlow(client(), { clock });
    await expect(runWith((code) => fake.deny(code), flow)).rejects.toMatchObject({ code: 'access_denied' });
    expect(flow.status).toMatchObject({ state: 'denied', error: expect.stringMatching(/cancelled on GitHub/) });
  });

  it('expired_token from GitHub ends the flow with state expired', async () => {
    const flow = new DeviceFlow(client(), { clock });
    await expect(runWith((code) => fake.expire(code), flow)).rejects.toMatchObject({ code: 'expired_token' });
    expect(flow.status!.state).toBe('expired');
  });

  it('stops polling by itself once expires_in has passed', async () => {
    fake.expiresIn = 12;
    const flow = new DeviceFlow(client(), { clock });
    await flow.start();
    await expect(flow.wait()).rejects.toMatchObject({ code: 'expired_token' });
    expect(fake.requests.filter((r) => r.path === '/login/oauth/access_token').length).toBe(2); // at 5 s and 10 s
  });

  it('incorrect_device_code, unsupported_grant_type and incorrect_client_credentials are errors, not retries', async () => {
    const gh = client();
    expect(await gh.pollDeviceToken('nope')).toMatchObject({ ok: false, error: 'incorrect_device_code' });
    const res = await fetch(`${fake.url}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT, device_code: 'x', grant_type: 'password' }),
    });
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
    expect(await client('Iv1.unknown').pollDeviceToken('x')).toMatchObject({ ok: false, error: 'incorrect_client_credentials' });

    const gh2 = client();
    gh2.requestDeviceCode = async () => ({ device_code: 'bogus', user_code: 'U', verification_uri: 'v', expires_in: 900, interval: 5 });
    const flow = new DeviceFlow(gh2, { clock });
    await flow.start();
    const err = await flow.wait().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceFlowError);
    expect(err).toMatchObject({ code: 'incorrect_device_code' });
    expect(flow.status!.state).toBe('error');
  });

  it('an unknown client id fails at the device code request', async () => {
    const flow = new DeviceFlow(client('Iv1.unknown'), { clock });
    await expect(flow.start()).rejects.toMatchObject({ code: 'not_found' });
  });

  it('cancel() stops polling with state cancelled', async () => {
    const flow = new DeviceFlow(client(), { clock });
    await flow.start();
    const waiting = flow.wait();
    flow.cancel();
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
    expect(flow.status!.state).toBe('cancelled');
  });

  it('keeps polling through a transient network error', async () => {
    const gh = client();
    const real = gh.pollDeviceToken.bind(gh);
    let failed = false;
    gh.pollDeviceToken = async (code, signal) => {
      if (!failed) {
        failed = true;
        throw new TypeError('fetch failed');
      }
      return real(code, signal);
    };
    const token = await runWith((code) => fake.approve(code, 'octo'), new DeviceFlow(gh, { clock }));
    expect(token.access_token).toMatch(/^gho_/);
  });
});

describe('the fake speaks both body formats', () => {
  it('device code: form body + no Accept → form-urlencoded answer; JSON body + Accept json → JSON', async () => {
    const form = await fetch(`${fake.url}/login/device/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `client_id=${CLIENT}&scope=read%3Auser`,
    });
    expect(form.headers.get('content-type')).toMatch(/x-www-form-urlencoded/);
    const parsed = new URLSearchParams(await form.text());
    expect(parsed.get('user_code')).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(parsed.get('interval')).toBe('5');
    expect(parsed.get('expires_in')).toBe('900');

    const json = await fetch(`${fake.url}/login/device/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: CLIENT, scope: 'read:user' }),
    });
    expect(await json.json()).toMatchObject({ device_code: expect.any(String), verification_uri: `${fake.url}/login/device`, interval: 5 });
  });
});
