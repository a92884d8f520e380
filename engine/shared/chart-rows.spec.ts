import { describe, expect, it } from 'vitest';
import { chartRow, takesPart } from './chart-rows';

const M1 = '1b4e5f2a-0c6d-4a0e-9c1e-3f0b6d2a7e11';
const M2 = '9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const H = 'h:0a4d55a8d778e5022fab701977c5d840bbc486d0';
const lb = (song_id: string) => ({ source: 'listenbrainz', song_id });
const spotify = (song_id: string) => ({ source: 'import:spotify', song_id });
const fm = (song_id: string) => ({ source: 'lastfm', song_id });

describe('chartRow', () => {
  it('a listen joins the earliest id of its name when another source named it', () => {
    expect(chartRow(fm(H), [lb(M1), spotify(H)])).toBe(M1);
    expect(chartRow(lb(M1), [spotify(H), lb(M1)])).toBe(H);
    expect(chartRow(lb(M2), [spotify(H), lb(M1), lb(M2)])).toBe(H);
  });
  it('ids of the source that named the track first stay as that source defines them', () => {
    expect(chartRow(lb(M2), [lb(M1), lb(M2)])).toBe(M2);
    expect(chartRow(lb(H), [lb(M1), lb(H)])).toBe(H);
  });
  it('an id alone, or first, is its own row; the same id from two sources is one row', () => {
    expect(chartRow(spotify(H), [])).toBe(H);
    expect(chartRow(lb(M1), [lb(M1)])).toBe(M1);
    expect(chartRow(fm(M1), [lb(M1)])).toBe(M1);
  });
  it('takes part only with a real source and a name', () => {
    expect(takesPart({ source: 'simulator', song_id: 'sim-00001', artist: 'A', title: 'T' })).toBe(false);
    expect(takesPart({ source: 'import:spotify', song_id: H, artist: 'A', title: 'T' })).toBe(true);
    expect(takesPart({ source: 'listenbrainz', song_id: M1, artist: ' ', title: null })).toBe(false);
  });
});
