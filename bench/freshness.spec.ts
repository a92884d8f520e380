import { describe, expect, it } from 'vitest';
import { probeTimeline, stageSummary } from './freshness';

describe('stageSummary', () => {
  it('splits each seen probe into publish → fetched → counted → event → answered', () => {
    const probes = [
      { user: 'a', song: 's', publishedAt: 1000, fetchedAt: 1400, countedAt: 2400, eventAt: 2500, seenAt: 2520 },
      { user: 'b', song: 's', publishedAt: 2000, fetchedAt: 2200, countedAt: 2700, eventAt: 2800, seenAt: 2900 },
    ];
    const s = stageSummary(probes);
    expect(Object.keys(s)).toEqual(['in_kafka', 'fetched_to_counted', 'counted_to_event', 'event_to_answer']);
    expect(s.in_kafka!.p99_ms).toBe(400);
    expect(s.fetched_to_counted!.p99_ms).toBe(1000);
    expect(s.counted_to_event!.p50_ms).toBe(100);
    expect(s.event_to_answer!.p99_ms).toBe(100);
  });

  it('leaves out probes never seen and stages whose ends were not observed', () => {
    const s = stageSummary([
      { user: 'a', song: 's', publishedAt: 1000, fetchedAt: 1300, countedAt: 1900 },
      { user: 'b', song: 's', publishedAt: 1000, countedAt: 1500, seenAt: 1700 },
    ]);
    expect(Number.isNaN(s.in_kafka!.p50_ms)).toBe(true);
    expect(Number.isNaN(s.counted_to_event!.p50_ms)).toBe(true);
  });

  it('places each probe on the timeline of the run, a stage null where its ends were not observed', () => {
    const t = probeTimeline(
      [
        { user: 'a', song: 's', publishedAt: 1500, fetchedAt: 1700, countedAt: 2000, eventAt: 2100, seenAt: 2150 },
        { user: 'b', song: 's', publishedAt: 2000, countedAt: 2600 },
      ],
      1000,
    );
    expect(t[0]).toEqual({ t_ms: 500, ms: 650, in_kafka: 200, fetched_to_counted: 300, counted_to_event: 100, event_to_answer: 50 });
    expect(t[1]).toEqual({ t_ms: 1000, ms: null, in_kafka: null, fetched_to_counted: null, counted_to_event: null, event_to_answer: null });
  });
});
