import { describe, expect, it } from 'vitest';
import { Redactor, REDACTED } from './redact';

const API_TOKEN = 'Zm9vYmFyYmF6cXV4LXRoZS1hcGktdG9rZW4tdmFsdWU';
const GHO = 'gho_16C7e42F292c6912E7710c838347Ae178B4a';
const GHP = 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789';
const PAT = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz';

describe('Redactor', () => {
  const r = new Redactor([API_TOKEN]);

  it.each([
    [`request with token ${API_TOKEN} failed`],
    [`GET /v1/x?token=${API_TOKEN}&a=1`],
    [`oauth reply access_token=${GHO}&scope=read`],
    [`pushed with ${GHP}`],
    [`pat ${PAT}.`],
    [`Authorization: Bearer ${API_TOKEN.slice(3)}`],
    [`{"headers":{"authorization":"Bearer abc.def-ghi"}}`],
    [`curl -H 'Authorization: token sEcReTvAlUe123'`],
    [`sent bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig`],
  ])('scrubs %s', (line) => {
    const out = r.text(line);
    for (const secret of [API_TOKEN, GHO, GHP, PAT, API_TOKEN.slice(3), 'abc.def-ghi', 'sEcReTvAlUe123', 'eyJhbGciOiJIUzI1NiJ9']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain(REDACTED);
  });

  it('keeps ordinary text', () => {
    const line = 'aggregator committed batch of 500 listens for 3 users (token bucket ok)';
    expect(r.text(line)).toBe(line);
  });

  it('blanks secret-named keys at any depth and scrubs strings in values', () => {
    const out = r.value({
      msg: 'hi',
      token: 'short',
      req: { headers: { Authorization: 'Basic dXNlcjpwYXNz', host: 'x' } },
      list: [{ client_secret: 'abc' }, `see ${GHO}`],
      count: 3,
    }) as Record<string, unknown>;
    const s = JSON.stringify(out);
    expect(s).not.toContain('short');
    expect(s).not.toContain('dXNlcjpwYXNz');
    expect(s).not.toContain('abc"');
    expect(s).not.toContain(GHO);
    expect(out.count).toBe(3);
    expect((out.req as { headers: { host: string } }).headers.host).toBe('x');
  });

  it('learns secrets added later and ignores too-short values', () => {
    const r2 = new Redactor();
    r2.addSecret('abc');
    r2.addSecret('later-secret-value-1234');
    expect(r2.text('abc later-secret-value-1234')).toBe(`abc ${REDACTED}`);
  });
});
