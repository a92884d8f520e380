import { describe, expect, it } from 'vitest';
import { exportName, standaloneSvg, toCsv } from './chart-export';

describe('toCsv', () => {
  it('quotes what needs quoting and ends lines with CRLF', () => {
    expect(toCsv(['rank', 'title', 'plays'], [[1, 'Motion, Live', 12], [2, 'Say "hi"', null], [3, ' padded', 0]])).toBe(
      'rank,title,plays\r\n1,"Motion, Live",12\r\n2,"Say ""hi""",\r\n3," padded",0\r\n',
    );
  });
});

describe('exportName', () => {
  it('makes a safe file name', () => {
    expect(exportName('Top tracks', 'Octo Cat', '2026-11-23..2026-11-29')).toBe('top-tracks-octo-cat-2026-11-23..2026-11-29');
  });
});

describe('standaloneSvg', () => {
  it('carries computed paint instead of classes and adds a background', () => {
    document.body.innerHTML = '<style>.bar{fill:rgb(1, 2, 3)}</style><svg viewBox="0 0 10 10"><rect class="bar" width="5" height="5"/></svg>';
    const text = standaloneSvg(document.querySelector('svg')!);
    expect(text).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(text).toMatch(/<rect[^>]*fill="rgb\(1, 2, 3\)"/);
    expect(text).not.toContain('class=');
  });
});
