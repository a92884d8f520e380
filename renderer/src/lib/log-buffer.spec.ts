import { describe, expect, it } from 'vitest';
import type { LogLine } from './api/wire';
import { LogBuffer, highlight } from './log-buffer';

const line = (seq: number, service = 'api', level: LogLine['level'] = 'info', msg = `line ${seq}`): LogLine => ({ seq, time: new Date(seq).toISOString(), service, level, msg });

describe('LogBuffer', () => {
  it('filters by service, level and text, incrementally and on filter change', () => {
    const b = new LogBuffer(100);
    b.push([line(1, 'api'), line(2, 'kafka', 'warn', 'broker slow'), line(3, 'api', 'debug')]);
    expect(b.view).toHaveLength(3);
    b.setFilter({ services: new Set(['kafka']), minLevel: 'info', text: '' });
    expect(b.view.map((l) => l.seq)).toEqual([2]);
    b.push([line(4, 'kafka', 'error', 'boom'), line(5, 'api', 'error')]);
    expect(b.view.map((l) => l.seq)).toEqual([2, 4]);
    b.setFilter({ services: new Set(), minLevel: 'trace', text: 'SLOW' });
    expect(b.view.map((l) => l.seq)).toEqual([2]);
  });

  it('drops the oldest lines past capacity, ignores duplicates, and stays fast at 100 000 lines', () => {
    const b = new LogBuffer(100_000);
    const t0 = performance.now();
    for (let i = 0; i < 12; i++) b.push(Array.from({ length: 10_000 }, (_, j) => line(i * 10_000 + j)));
    b.push([line(119_999)]);
    expect(b.lines).toHaveLength(100_000);
    expect(b.lines[0]?.seq).toBe(20_000);
    expect(b.view[0]?.seq).toBe(20_000);
    b.setFilter({ services: new Set(), minLevel: 'trace', text: 'line 11999' });
    expect(b.view.length).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(8000);
  });

  it('highlights case-insensitive matches', () => {
    expect(highlight('Crawl finished, crawl ok', 'crawl')).toEqual([
      { t: 'Crawl', hit: true },
      { t: ' finished, ', hit: false },
      { t: 'crawl', hit: true },
      { t: ' ok', hit: false },
    ]);
  });
});
