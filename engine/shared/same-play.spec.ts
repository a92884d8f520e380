import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SAME_PLAY_TOLERANCE_MS, selectNewPlays, trackKey } from './same-play';
import type { PlayLike } from './same-play';

const T = Date.UTC(2026, 10, 20, 20, 0, 0);
const p = (source: string, at: number, artist = 'Beyoncé', title = 'Halo', song_id = 'h:halo'): PlayLike => ({ source, listened_at: at, song_id, artist, title });

describe('trackKey', () => {
  it('folds case, accents, punctuation and "&"', () => {
    expect(trackKey('Beyoncé', 'Halo')).toBe(trackKey('BEYONCE', 'halo'));
    expect(trackKey('Simon & Garfunkel', "Mrs. Robinson")).toBe(trackKey('simon and garfunkel', 'Mrs Robinson'));
    expect(trackKey('A', 'B')).not.toBe(trackKey('A', 'C'));
  });
});

describe('selectNewPlays: one play from two sources counts once', () => {
  it('drops a listen of another source that names the same track within the tolerance', () => {
    const stored = [p('import', T)];
    const r = selectNewPlays([p('lastfm', T + 40_000, 'BEYONCE', 'halo', 'h:other')], stored);
    expect(r.fresh).toHaveLength(0);
    expect(r.sameCrossSource).toBe(1);
  });

  it('matches by mbid when the names differ', () => {
    const r = selectNewPlays([p('listenbrainz', T + 5_000, 'Beyonce Knowles', 'Halo (Album Version)', 'mbid-1')], [p('lastfm', T, 'Beyoncé', 'Halo', 'mbid-1')]);
    expect(r.sameCrossSource).toBe(1);
  });

  it('keeps listens outside the tolerance, of another track, or of the same source', () => {
    const stored = [p('import', T)];
    expect(selectNewPlays([p('lastfm', T + SAME_PLAY_TOLERANCE_MS + 1)], stored).fresh).toHaveLength(1);
    expect(selectNewPlays([p('lastfm', T - SAME_PLAY_TOLERANCE_MS - 1)], stored).fresh).toHaveLength(1);
    expect(selectNewPlays([p('lastfm', T + 1000, 'Other', 'Song', 'h:x')], stored).fresh).toHaveLength(1);
    expect(selectNewPlays([p('import', T + 1000)], stored).fresh).toHaveLength(1);
  });

  it('a real repeat still counts twice: pairing is one to one, nearest first', () => {
    // the song played twice in a row, 100 s apart; both sources saw both plays, a third source only the first
    const stored = [p('import', T), p('import', T + 100_000)];
    const r = selectNewPlays([p('lastfm', T + 3_000), p('lastfm', T + 104_000), p('listenbrainz', T + 2_000)], stored);
    expect(r.fresh).toHaveLength(0);
    expect(r.sameCrossSource).toBe(3);
    // one source saw only one of the two plays, the other saw both: two plays, not one and not three
    const r2 = selectNewPlays([p('lastfm', T + 1_000), p('import', T + 2_000), p('import', T + 102_000)], []);
    expect(r2.fresh.map((l) => l.source)).toEqual(['lastfm', 'import']);
  });

  it('exact identities are replays, counted apart from cross-source matches', () => {
    const r = selectNewPlays([p('import', T)], [p('import', T)]);
    expect(r).toMatchObject({ fresh: [], sameListen: 1, sameCrossSource: 0 });
  });

  it('the same play in one batch from two sources counts once', () => {
    const r = selectNewPlays([p('lastfm', T + 30_000), p('import', T)], []);
    expect(r.fresh.map((l) => l.source)).toEqual(['import']);
  });
});

describe('selectNewPlays with nothing stored', () => {
  // a stored listen no candidate can match (another track, years earlier): the general path, with the same answer due
  const faraway = p('elsewhere', Date.UTC(2001, 0, 1), 'Nobody', 'Nothing', 'h:nothing');
  const listen = fc.record({
    source: fc.constantFrom('simulator', 'lastfm', 'import'),
    listened_at: fc.integer({ min: T, max: T + 600_000 }).map((t) => t - (t % 30_000)),
    song: fc.integer({ min: 0, max: 4 }),
  });

  it('gives what the general path gives, for one source or several, repeats included', () => {
    fc.assert(
      fc.property(fc.array(listen, { maxLength: 12 }), fc.boolean(), (ls, oneSource) => {
        const candidates = ls.map((l) => p(oneSource ? 'simulator' : l.source, l.listened_at, `Artist ${l.song}`, `Song ${l.song}`, `s${l.song}`));
        expect(selectNewPlays(candidates, [])).toEqual(selectNewPlays(candidates, [faraway]));
      }),
      { numRuns: 500 },
    );
  });

  it('a slice of one source: every listen new, oldest first; an exact repeat is still a replay', () => {
    const r = selectNewPlays([p('simulator', T + 2_000), p('simulator', T), p('simulator', T + 1_000, 'X', 'Y', 'h:y')], []);
    expect(r.fresh.map((l) => l.listened_at)).toEqual([T, T + 1_000, T + 2_000]);
    expect(selectNewPlays([p('simulator', T), p('simulator', T)], [])).toMatchObject({ sameListen: 1, sameCrossSource: 0 });
  });
});
