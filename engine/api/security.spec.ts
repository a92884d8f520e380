import { describe, expect, it } from 'vitest';
import { hostName, makeHostCheck, makeTokenCheck } from './security';

describe('host guard', () => {
  const ok = makeHostCheck(['topk.example.org', 'api.example.net:9443']);
  it.each(['127.0.0.1', '127.0.0.1:8080', 'localhost:1', 'LocalHost', '[::1]', '[::1]:8080', 'topk.example.org:1', 'api.example.net:9443'])('accepts %s', (h) => {
    expect(ok(h)).toBe(true);
  });
  it.each([undefined, '', 'evil.com', 'localhost.evil.com', '127.0.0.1.nip.io:80', '[::2]:80', 'api.example.net:80', '0.0.0.0:8080'])('rejects %s', (h) => {
    expect(ok(h)).toBe(false);
  });
  it('strips ports, keeps IPv6 brackets', () => {
    expect(hostName('[::1]:80')).toBe('[::1]');
    expect(hostName('Example.ORG:1')).toBe('example.org');
  });
});

describe('bearer token check', () => {
  const check = makeTokenCheck('s3cret');
  it('accepts only the exact token with the Bearer scheme', () => {
    expect(check('Bearer s3cret')).toBe(true);
    expect(check('bearer s3cret')).toBe(true);
    for (const h of [undefined, '', 's3cret', 'Bearer s3cre', 'Bearer s3cret2', 'Basic s3cret', 'Bearer  ', 'Bearer s3cret extra']) expect(check(h)).toBe(false);
  });
  it('an empty configured token accepts nothing', () => {
    expect(makeTokenCheck('')('Bearer ')).toBe(false);
    expect(makeTokenCheck('')('Bearer x')).toBe(false);
  });
});
