import { describe, expect, it } from 'vitest';
import { addDays, dayStart, daysBetween, lastDays } from './days';

describe('day windows', () => {
  it('lastDays ends today (UTC) and spans n days', () => {
    const now = Date.parse('2024-03-01T23:59:59Z');
    const w = lastDays(3, now);
    expect(w).toMatchObject({ from: '2024-02-28', to: '2024-03-01', days: ['2024-03-01', '2024-02-29', '2024-02-28'] });
    expect(w.fromTs).toBe(Date.parse('2024-02-28T00:00:00Z'));
    expect(w.toTs).toBe(Date.parse('2024-03-02T00:00:00Z'));
  });
  it('rejects impossible dates', () => {
    expect(dayStart('2024-02-30')).toBeNaN();
    expect(dayStart('2024-2-3')).toBeNaN();
    expect(dayStart('2023-12-31')).toBe(Date.parse('2023-12-31T00:00:00Z'));
  });
  it('walks across month and year ends', () => {
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(daysBetween('2023-12-30', '2024-01-02')).toEqual(['2024-01-02', '2024-01-01', '2023-12-31', '2023-12-30']);
  });
});
