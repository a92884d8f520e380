import { describe, expect, it } from 'vitest';
import { parseLinkHeader } from './link-header';

describe('parseLinkHeader', () => {
  it('reads GitHub pagination links', () => {
    const h =
      '<https://api.github.com/user/following?per_page=2&page=2>; rel="next", <https://api.github.com/user/following?per_page=2&page=5>; rel="last"';
    expect(parseLinkHeader(h)).toEqual({
      next: 'https://api.github.com/user/following?per_page=2&page=2',
      last: 'https://api.github.com/user/following?per_page=2&page=5',
    });
  });

  it('handles prev/first, unquoted and multiple rels, commas inside URLs, and nothing', () => {
    const h = '<https://x/a?q=1,2>; rel="prev first", <https://x/b>; rel=next';
    expect(parseLinkHeader(h)).toEqual({ prev: 'https://x/a?q=1,2', first: 'https://x/a?q=1,2', next: 'https://x/b' });
    expect(parseLinkHeader(null)).toEqual({});
    expect(parseLinkHeader('garbage')).toEqual({});
  });
});
