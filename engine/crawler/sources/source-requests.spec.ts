import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SourceRequests } from './source-requests';
import type { AnswerVerdict, SourceRequestPolicy } from './source-requests';

const log = pino({ level: 'silent' });
const ctx = { signal: new AbortController().signal, log };
const url = new URL('http://127.0.0.1:9/x');
const policy: SourceRequestPolicy = { source: 'test', service: 'Test', maxLimited: 2, limitedBackoffBaseMs: 1000, limitedWait: 'sleep' };

/** A fetch that plays `script` in order: a status answers, 'down' fails like an unreachable server. */
function scripted(script: Array<number | 'down'>): { fetch: typeof fetch; calls: () => number } {
  let i = 0;
  const f = (() => {
    const step = script[Math.min(i++, script.length - 1)];
    return step === 'down' ? Promise.reject(new TypeError('fetch failed')) : Promise.resolve(new Response(String(step), { status: step }));
  }) as typeof fetch;
  return { fetch: f, calls: () => i };
}

const byStatus = (res: Response): AnswerVerdict<string> =>
  res.status === 200 ? { value: 'ok' } : res.status === 429 ? { limited: { error: 'limited out', msg: 'limited', waitMs: 1 } } : { temporary: { error: `gave up at ${res.status}`, msg: 'retrying', log: { status: res.status } } };

describe('SourceRequests', () => {
  it('retries network errors and temporary answers on one count, then goes on', async () => {
    const s = scripted(['down', 503, 200]);
    const r = new SourceRequests({ fetch: s.fetch, maxRetries: 2, backoffBaseMs: 1 }, policy);
    await expect(r.get(ctx, url, {}, byStatus)).resolves.toBe('ok');
    expect(s.calls()).toBe(3);
  });

  it('gives up when network errors and temporary answers together exceed maxRetries', async () => {
    const s = scripted(['down', 503, 'down', 200]);
    const r = new SourceRequests({ fetch: s.fetch, maxRetries: 2, backoffBaseMs: 1 }, policy);
    await expect(r.get(ctx, url, {}, byStatus)).rejects.toThrow('Test unreachable: fetch failed');
    expect(s.calls()).toBe(3);
    const t = scripted([503, 503, 503, 200]);
    await expect(new SourceRequests({ fetch: t.fetch, maxRetries: 2, backoffBaseMs: 1 }, policy).get(ctx, url, {}, byStatus)).rejects.toThrow('gave up at 503');
  });

  it('counts rate-limited answers apart from errors, up to maxLimited', async () => {
    const ok = scripted([429, 503, 429, 200]);
    await expect(new SourceRequests({ fetch: ok.fetch, maxRetries: 1, backoffBaseMs: 1 }, policy).get(ctx, url, {}, byStatus)).resolves.toBe('ok');
    const out = scripted([429, 429, 429, 200]);
    await expect(new SourceRequests({ fetch: out.fetch, backoffBaseMs: 1 }, policy).get(ctx, url, {}, byStatus)).rejects.toThrow('limited out');
    expect(out.calls()).toBe(3);
  });

  it("with limitedWait 'pace', a rate limit holds the source's next request, whichever crawl sends it", async () => {
    const s = scripted([429, 200]);
    const r = new SourceRequests({ fetch: s.fetch }, { ...policy, limitedWait: 'pace' });
    const answer = (res: Response): AnswerVerdict<string> => (res.status === 429 ? { limited: { error: 'x', msg: 'limited', waitMs: 300 } } : { value: 'ok' });
    const t0 = Date.now();
    await expect(r.get(ctx, url, {}, answer)).resolves.toBe('ok');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('does not retry what the answer throws', async () => {
    const s = scripted([404, 200]);
    const r = new SourceRequests({ fetch: s.fetch, backoffBaseMs: 1 }, policy);
    await expect(r.get(ctx, url, {}, () => { throw new Error('no such user'); })).rejects.toThrow('no such user');
    expect(s.calls()).toBe(1);
  });
});
