import { catalogue, hash32, mulberry32, sampleCdf } from './simulator-catalogue';
import type { SimTrack } from './simulator-catalogue';
import { ConfigValidationError } from './types';
import type { CrawlContext, SourceAdapter, SourceListen, SourcePage } from './types';
import { DAY_MS } from '../../shared/listen-identity';

const HOUR_MS = 3_600_000;

export interface SimulatorOptions {
  /** average listens per day (default 200) */
  listensPerDay?: number;
}

/** Relative listening activity per UTC hour of day: quiet nights, a commute bump, busy evenings. */
const RHYTHM = (() => {
  const w = [0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.2, 1.8, 1.4, 1.0, 1.0, 1.3, 1.2, 1.0, 1.0, 1.3, 1.8, 2.0, 2.2, 2.4, 2.1, 1.4, 0.7];
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
})();

interface Taste {
  favourites: number[];
  favCdf: Float64Array;
  artists: number[];
}

const tastes = new Map<string, Taste>();

function tasteOf(seed: number, userId: string): Taste {
  const key = `${seed}\u0000${userId}`;
  let t = tastes.get(key);
  if (t) return t;
  const cat = catalogue();
  const r = mulberry32(hash32('taste', seed, userId));
  const favourites: number[] = [];
  const set = new Set<number>();
  const nFav = 15 + Math.floor(r() * 30);
  while (favourites.length < nFav) {
    // favourites lean towards popular tracks but reach deep into the catalogue
    const i = r() < 0.5 ? sampleCdf(cat.zipfCdf, r()) : Math.floor(r() * cat.tracks.length);
    if (!set.has(i)) {
      set.add(i);
      favourites.push(i);
    }
  }
  const favCdf = new Float64Array(nFav);
  let acc = 0;
  for (let i = 0; i < nFav; i++) favCdf[i] = acc += 1 / (i + 1) ** 0.9;
  for (let i = 0; i < nFav; i++) favCdf[i]! /= acc;
  const artists = Array.from({ length: 3 + Math.floor(r() * 5) }, () => Math.floor(cat.artistCount * r() ** 1.5));
  t = { favourites, favCdf, artists };
  if (tastes.size > 10_000) tastes.clear();
  tastes.set(key, t);
  return t;
}

/**
 * The listens of one user in one UTC hour bucket, all
 * inside [hourStart, hourStart + 1h). Pure function of (seed, user, hour).
 */
function hourListens(seed: number, userId: string, hourIndex: number, listensPerDay: number, out: SourceListen[], fromMs: number, toMs: number): void {
  const cat = catalogue();
  const taste = tasteOf(seed, userId);
  const dayIndex = Math.floor(hourIndex / 24);
  const dayFactor = 0.6 + 0.8 * mulberry32(hash32('day', seed, userId, dayIndex))();
  const r = mulberry32(hash32('hour', seed, userId, hourIndex));
  const expected = listensPerDay * RHYTHM[hourIndex % 24]! * dayFactor;
  let n = Math.floor(expected * (0.5 + r()));
  if (r() < expected * (0.5 + r()) - n) n++;
  if (n <= 0) return;
  const hourStart = hourIndex * HOUR_MS;
  const hourEnd = hourStart + HOUR_MS;
  // one or two sessions, one after the other (a listener plays one track at a time); tracks
  // follow each other back to back, so no two listens of a user share a start time
  const sessions = n > 8 && r() < 0.4 ? 2 : 1;
  let prev = -1;
  let free = hourStart;
  for (let s = 0; s < sessions; s++) {
    const count = sessions === 1 ? n : s === 0 ? Math.ceil(n / 2) : Math.floor(n / 2);
    const room = Math.floor((hourEnd - free) / 1000) - count * 120;
    let t = free + Math.floor(r() * Math.max(1, room)) * 1000;
    for (let j = 0; j < count; j++) {
      const u = r();
      let idx: number;
      if (prev >= 0 && u < 0.08) idx = prev; // repeat the same track
      else if (u < 0.45) idx = taste.favourites[sampleCdf(taste.favCdf, r())]!;
      else if (u < 0.6) {
        const songs = cat.byArtist[taste.artists[Math.floor(r() * taste.artists.length)]!]!;
        idx = songs[Math.floor(r() * songs.length)]!;
      } else idx = sampleCdf(cat.zipfCdf, r());
      const track: SimTrack = cat.tracks[idx]!;
      if (t >= hourEnd) break;
      if (t >= fromMs && t < toMs) {
        out.push({ listened_at: t, song_id: track.song_id, title: track.title, artist: track.artist, album: track.album });
      }
      prev = idx;
      // durations are at least 140 s, so a session's listens never share a second
      t += Math.max(60, Math.floor(track.duration * (r() < 0.1 ? 0.4 : 1))) * 1000;
    }
    // the next session starts at least a minute after this one's last track ended
    free = t + 60_000;
    if (free >= hourEnd) break;
  }
}

/**
 * Every simulated listen of `userId` with fromMs ≤ listened_at < toMs, hour by hour.
 * Deterministic: the same (seed, user, window) always yields the same listens, and
 * a window's listens are exactly the union of its sub-windows' listens.
 */
export function generateListens(seed: number, userId: string, fromMs: number, toMs: number, opts: SimulatorOptions = {}): SourceListen[] {
  const lpd = opts.listensPerDay ?? 200;
  const out: SourceListen[] = [];
  if (toMs <= fromMs) return out;
  const first = Math.floor(fromMs / HOUR_MS);
  const last = Math.floor((toMs - 1) / HOUR_MS);
  for (let h = first; h <= last; h++) hourListens(seed, userId, h, lpd, out, fromMs, toMs);
  return out;
}

function intField(o: Record<string, unknown>, key: string, lo: number, hi: number, dflt: number): number {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new ConfigValidationError(`${key} must be an integer between ${lo} and ${hi}`, key);
  }
  return v;
}

/** Pages of at most this span: the cursor advances page by page. */
const PAGE_MS = 6 * HOUR_MS;

export class SimulatorSource implements SourceAdapter {
  readonly id = 'simulator';
  readonly concurrency = 4;
  readonly defaultIntervalSeconds = 300;

  readonly configSchema = {
    title: 'SimulatorConfig',
    type: ['object', 'null'],
    properties: {
      seed: { type: ['integer', 'null'], minimum: 0, maximum: 2 ** 31 - 1, description: 'default 1' },
      listens_per_day: { type: ['integer', 'null'], minimum: 1, maximum: 100_000, description: 'default 200' },
    },
    additionalProperties: false,
  };

  parseConfig(body: unknown): { config: Record<string, unknown> } {
    const o = body === undefined || body === null ? {} : body;
    if (typeof o !== 'object' || Array.isArray(o)) throw new ConfigValidationError('body must be a JSON object', 'body');
    const b = o as Record<string, unknown>;
    for (const k of Object.keys(b)) {
      if (k !== 'seed' && k !== 'listens_per_day') throw new ConfigValidationError(`unknown field "${k}"`, k);
    }
    return {
      config: {
        seed: intField(b, 'seed', 0, 2 ** 31 - 1, 1),
        listens_per_day: intField(b, 'listens_per_day', 1, 100_000, 200),
      },
    };
  }

  /** First crawl: the last retentionDays days up to now; later: from the cursor (ms) up to now. */
  async *crawl(ctx: CrawlContext): AsyncIterable<SourcePage> {
    const seed = Number(ctx.config.seed ?? 1);
    const lpd = Number(ctx.config.listens_per_day ?? 200);
    const floor = ctx.now - ctx.retentionDays * DAY_MS;
    const cursor = ctx.cursor !== null ? Number(ctx.cursor) : NaN;
    let from = Number.isFinite(cursor) ? Math.max(floor, cursor) : floor;
    while (from < ctx.now) {
      if (ctx.signal.aborted) return;
      const to = Math.min(ctx.now, from + PAGE_MS);
      yield { listens: generateListens(seed, ctx.userId, from, to, { listensPerDay: lpd }), cursor: String(to) };
      from = to;
    }
  }
}
