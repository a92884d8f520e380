/**
 * The simulator's invented music catalogue: a few thousand tracks by a few
 * hundred artists, names made from word lists, deterministic (no Math.random).
 */

export interface SimTrack {
  song_id: string;
  title: string;
  artist: string;
  album: string;
  artistIndex: number;
  /** seconds */
  duration: number;
}

export interface Catalogue {
  tracks: SimTrack[];
  /** track indices of each artist */
  byArtist: number[][];
  /** cumulative Zipf weights over tracks (track i has popularity rank i) */
  zipfCdf: Float64Array;
  artistCount: number;
}

const ADJ = [
  'Golden', 'Silent', 'Electric', 'Velvet', 'Broken', 'Neon', 'Midnight', 'Crimson', 'Hollow', 'Wild', 'Paper', 'Glass',
  'Distant', 'Lonely', 'Burning', 'Frozen', 'Secret', 'Bitter', 'Sweet', 'Restless', 'Faded', 'Lucky', 'Silver', 'Quiet',
  'Northern', 'Southern', 'Static', 'Cosmic', 'Gentle', 'Savage', 'Tender', 'Violet', 'Amber', 'Hidden', 'Endless', 'Little',
];
const NOUN = [
  'Heart', 'River', 'Signal', 'Mirror', 'Garden', 'Highway', 'Ocean', 'Shadow', 'Engine', 'Satellite', 'Window', 'Fire',
  'Summer', 'Winter', 'Machine', 'Harbor', 'Forest', 'Echo', 'Thunder', 'Lantern', 'Desert', 'Island', 'Comet', 'Letter',
  'Stranger', 'Horizon', 'Weather', 'Station', 'Canyon', 'Orchard', 'Paradise', 'Circuit', 'Feather', 'Anthem', 'Rumor', 'Daydream',
];
const PLURAL = [
  'Wolves', 'Lovers', 'Strangers', 'Pilots', 'Ghosts', 'Kings', 'Sparrows', 'Machines', 'Tigers', 'Saints', 'Rebels', 'Foxes',
  'Dreamers', 'Comets', 'Drifters', 'Thieves', 'Hearts', 'Giants', 'Owls', 'Sailors',
];
const FIRST = [
  'Ada', 'Milo', 'Nina', 'Otis', 'Iris', 'Jonah', 'Lena', 'Felix', 'Mara', 'Theo', 'Ruby', 'Caleb', 'Stella', 'Hugo', 'June',
  'Ezra', 'Vera', 'Leon', 'Cleo', 'Arlo',
];
const LAST = [
  'Hart', 'Vale', 'Stone', 'Marsh', 'Reyes', 'Quinn', 'Frost', 'Lake', 'Moreau', 'Sato', 'Novak', 'Okafor', 'Lindqvist', 'Costa',
  'Brennan', 'Kovacs', 'Ivers', 'Wilde', 'Achebe', 'Rowe',
];
const VERB = ['Chasing', 'Holding', 'Leaving', 'Dancing in', 'Waiting for', 'Running from', 'Calling', 'Burning', 'Finding', 'Dreaming of', 'Falling into', 'Crossing'];

/** mulberry32: a tiny fast PRNG, returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a-style hash of strings and numbers, for PRNG seeds. */
export function hash32(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = String(p);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  // final avalanche
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

let cached: Catalogue | undefined;

/** The one catalogue shared by every simulated user (so global Top-K has overlap). */
export function catalogue(size = 3000, artists = 300): Catalogue {
  if (cached && cached.tracks.length === size) return cached;
  const r = mulberry32(hash32('heavy-rotation-catalogue', 1));
  const artistNames: string[] = [];
  const seen = new Set<string>();
  while (artistNames.length < artists) {
    const style = r();
    const name =
      style < 0.35 ? `The ${pick(r, ADJ)} ${pick(r, PLURAL)}` : style < 0.7 ? `${pick(r, FIRST)} ${pick(r, LAST)}` : `${pick(r, ADJ)} ${pick(r, NOUN)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    artistNames.push(name);
  }
  const tracks: SimTrack[] = [];
  const byArtist: number[][] = artistNames.map(() => []);
  // albums of ~10 tracks; artist chosen with a skew so some artists have many tracks
  let album = '';
  let artistIndex = 0;
  for (let i = 0; i < size; i++) {
    if (i % 10 === 0) {
      artistIndex = Math.floor(artists * r() ** 1.6);
      album = r() < 0.5 ? `${pick(r, ADJ)} ${pick(r, NOUN)}` : `${pick(r, NOUN)}s of ${pick(r, NOUN)}`;
    }
    const style = r();
    const title =
      style < 0.4 ? `${pick(r, ADJ)} ${pick(r, NOUN)}` : style < 0.75 ? `${pick(r, VERB)} the ${pick(r, NOUN)}` : `${pick(r, NOUN)} ${pick(r, ['Song', 'Blues', 'Waltz', 'Lullaby', 'Parade', 'Reprise'])}`;
    tracks.push({
      song_id: `sim-${String(i).padStart(5, '0')}`,
      title,
      artist: artistNames[artistIndex] as string,
      album,
      artistIndex,
      duration: 140 + Math.floor(r() * 200),
    });
    byArtist[artistIndex]!.push(i);
  }
  // popularity rank is a permutation of the catalogue (rank 0 = most popular)
  const order = tracks.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const zipfCdf = new Float64Array(size);
  let acc = 0;
  for (let rank = 0; rank < size; rank++) {
    acc += 1 / (rank + 1) ** 1.05;
    zipfCdf[rank] = acc;
  }
  for (let i = 0; i < size; i++) zipfCdf[i]! /= acc;
  const ranked = order.map((i) => tracks[i]!);
  // re-index so that track index == popularity rank
  const byArtist2: number[][] = artistNames.map(() => []);
  ranked.forEach((t, idx) => byArtist2[t.artistIndex]!.push(idx));
  cached = { tracks: ranked, byArtist: byArtist2.map((l) => (l.length ? l : [0])), zipfCdf, artistCount: artists };
  void byArtist;
  return cached;
}

/** Index with P(i) ∝ Zipf weight, by binary search in the CDF. */
export function sampleCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
